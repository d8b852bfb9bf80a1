import {
  PluginExtensionPoints,
  type PluginExtensionAddedLinkConfig,
  type PluginExtensionPanelContext,
} from '@grafana/data';
import { getTemplateSrv } from '@grafana/runtime';
import { jobsTabUrl } from '@jobscope/contract';
import { usableQueue as usable } from './queueName';

export const PANEL_MENU_LINK = {
  title: 'Show jobs in jobscope',
  description: "Open jobscope's Jobs tab, filtered by this panel's queue when it has one",
  targets: [PluginExtensionPoints.DashboardPanelMenu],
  path: jobsTabUrl(),
} as const;

const QUEUE_MATCHER = /\bqueue\s*=\s*"([^"]+)"/g;

function single(values: Iterable<string>): string | undefined {
  const distinct = new Set(values);
  return distinct.size === 1 ? [...distinct][0] : undefined;
}

/**
 * The queue a panel is about, first match wins:
 * 1. `scopedVars.queue` (a panel repeated by a `queue` variable);
 * 2. a `queue` label shared by all series of the panel's data (e.g. `bullmq_jobs{queue="email"}` results);
 * 3. a `queue="…"` matcher shared by all the panel's query expressions;
 * 4. the dashboard's `queue` template variable, when it has exactly one value (not All, not several).
 * Otherwise none: the link opens the unfiltered Jobs tab.
 */
export function queueOfPanel(ctx: PluginExtensionPanelContext | undefined): string | undefined {
  if (!ctx) {
    return undefined;
  }
  const scoped = ctx.scopedVars?.queue?.value;
  if (usable(scoped)) {
    return scoped;
  }

  const labelled = (ctx.data?.series ?? []).flatMap((frame) =>
    frame.fields.map((field) => field.labels?.queue).filter(usable)
  );
  const fromLabels = single(labelled);
  if (fromLabels) {
    return fromLabels;
  }

  const matched = (ctx.targets ?? []).flatMap((target) => {
    const expr = (target as { expr?: unknown }).expr;
    return typeof expr === 'string' ? [...expr.matchAll(QUEUE_MATCHER)].map((m) => m[1]).filter(usable) : [];
  });
  const fromTargets = single(matched);
  if (fromTargets) {
    return fromTargets;
  }

  return queueOfVariable();
}

/**
 * The `queue` dashboard variable's value when exactly one queue is selected. The current value is read rather than
 * interpolated: with All selected, interpolation yields the variable's allValue (e.g. `.+`), not a queue.
 */
function queueOfVariable(): string | undefined {
  try {
    const variable = getTemplateSrv()
      .getVariables()
      .find((v) => v.name === 'queue');
    const value: unknown = variable && 'current' in variable ? variable.current?.value : undefined;
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (values.length === 1 && values[0] !== '$__all' && usable(values[0])) {
      return values[0];
    }
  } catch {
    // no template service (outside a dashboard): no variable to read
  }
  return undefined;
}

export const panelMenuLinkConfig: PluginExtensionAddedLinkConfig<PluginExtensionPanelContext> = {
  title: PANEL_MENU_LINK.title,
  description: PANEL_MENU_LINK.description,
  targets: [...PANEL_MENU_LINK.targets],
  path: PANEL_MENU_LINK.path,
  icon: 'list-ul',
  configure: (ctx) => {
    const queue = queueOfPanel(ctx);
    return queue ? { path: jobsTabUrl({ queue }) } : {};
  },
};
