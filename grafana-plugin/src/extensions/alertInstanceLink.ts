import type { PluginExtensionAddedLinkConfig } from '@grafana/data';
import { jobsTabUrl } from '@jobscope/contract';
import { usableQueue } from './queueName';

/** `PluginExtensionPoints.AlertInstanceAction` (Grafana 12.0 and later; the string, so an older host's enum is not needed). */
export const ALERT_INSTANCE_ACTION = 'grafana/alerting/instance/action';

/**
 * What Grafana passes to an alert instance's action links (public/app/features/alerting/unified/components/extensions/
 * AlertInstanceExtensionPoint.tsx: `{ instance, rule }`). Only the labels are read: the shipped rules
 * (provisioning/alerting/jobscope-rules.yaml) keep `prefix` and `queue` on every instance.
 */
export interface AlertInstanceContext {
  instance?: { labels?: Record<string, string> };
  rule?: { labels?: Record<string, string> };
}

export const ALERT_INSTANCE_LINK = {
  title: 'Show failed jobs in jobscope',
  description: "Open jobscope's Jobs tab on this alert's queue, filtered to failed jobs",
  targets: [ALERT_INSTANCE_ACTION],
} as const;

/** The alert's queue: the instance's `queue` label, else the rule's. */
export function queueOfAlert(ctx: AlertInstanceContext | undefined): string | undefined {
  return [ctx?.instance?.labels?.queue, ctx?.rule?.labels?.queue].find(usableQueue);
}

export const alertInstanceLinkConfig: PluginExtensionAddedLinkConfig<AlertInstanceContext> = {
  title: ALERT_INSTANCE_LINK.title,
  description: ALERT_INSTANCE_LINK.description,
  targets: [...ALERT_INSTANCE_LINK.targets],
  path: jobsTabUrl({ state: 'FAILURE' }),
  icon: 'list-ul',
  // Shown on every alert instance in Grafana: only on those about a queue (returning undefined hides the link).
  configure: (ctx) => {
    const queue = queueOfAlert(ctx);
    return queue ? { path: jobsTabUrl({ queue, state: 'FAILURE' }) } : undefined;
  },
};
