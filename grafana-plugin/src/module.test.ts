import { PluginExtensionPoints, type PluginExtensionPanelContext } from '@grafana/data';
import { plugin } from './module';
import pluginJson from './plugin.json';
import { ADDED_LINKS } from './extensions/addedLinks';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ getVariables: () => mockVariables }),
}));
let mockVariables: Array<{ name: string; current: { text: unknown; value: unknown } }> = [];
const queueVariable = (value: string | string[]) => [
  { name: 'state', current: { text: 'failed', value: 'failed' } },
  { name: 'queue', current: { text: value, value } },
];

function panelContext(overrides: Partial<PluginExtensionPanelContext> = {}): PluginExtensionPanelContext {
  return {
    pluginId: 'timeseries',
    id: 4,
    title: 'Jobs by state',
    timeRange: { from: 'now-1h', to: 'now' },
    timeZone: 'browser',
    dashboard: { uid: 'jobscope-jobs-overview', title: 'Jobs overview', tags: [] },
    targets: [],
    ...overrides,
  } as PluginExtensionPanelContext;
}

const link = () => {
  const panelLinks = plugin.addedLinkConfigs.filter((l) => [l.targets].flat().includes(PluginExtensionPoints.DashboardPanelMenu));
  expect(panelLinks).toHaveLength(1);
  return panelLinks[0];
};
const configure = (ctx: PluginExtensionPanelContext) =>
  (link().configure as (c: PluginExtensionPanelContext) => { path?: string } | undefined)(ctx);

describe('panel-menu link', () => {
  beforeEach(() => {
    mockVariables = [];
  });

  it('matches its plugin.json extensions.addedLinks entry (title, description, targets)', () => {
    expect(pluginJson.extensions.addedLinks).toContainEqual({
      title: link().title,
      description: link().description,
      targets: link().targets,
    });
    expect(link().targets).toEqual([PluginExtensionPoints.DashboardPanelMenu]);
    expect(PluginExtensionPoints.DashboardPanelMenu).toBe('grafana/dashboard/panel/menu');
    expect(link().title.length).toBeGreaterThanOrEqual(10);
    expect(link().path).toBe('/a/jobscope-jobs-app/settings?tab=jobs');
  });

  it('without a queue, keeps the unfiltered Jobs tab', () => {
    expect(configure(panelContext())).toEqual({});
  });

  it('uses scopedVars.queue first', () => {
    const ctx = panelContext({ scopedVars: { queue: { text: 'email', value: 'email' } } });
    expect(configure(ctx)).toEqual({ path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=email' });
  });

  it('uses a queue label shared by all series of the panel data', () => {
    const frame = (queue: string) => ({ fields: [{ name: 'Value', labels: { queue, state: 'failed' } }] });
    const one = panelContext({ data: { series: [frame('reports'), frame('reports')] } as never });
    expect(configure(one)).toEqual({ path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=reports' });
    const two = panelContext({ data: { series: [frame('reports'), frame('email')] } as never });
    expect(configure(two)).toEqual({});
  });

  it('reads a queue="…" matcher from the panel queries, but not an unresolved variable', () => {
    const ctx = panelContext({
      targets: [{ refId: 'A', expr: 'sum(bullmq_jobs{queue="email", state="failed"})' } as never],
    });
    expect(configure(ctx)).toEqual({ path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=email' });
    const variable = panelContext({ targets: [{ refId: 'A', expr: 'bullmq_jobs{queue="$queue"}' } as never] });
    expect(configure(variable)).toEqual({});
  });

  it('falls back to a single-valued queue template variable, not to All or several values', () => {
    mockVariables = queueVariable('billing');
    expect(configure(panelContext())).toEqual({ path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=billing' });
    mockVariables = queueVariable(['billing']);
    expect(configure(panelContext())).toEqual({ path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=billing' });
    mockVariables = queueVariable(['email', 'billing']);
    expect(configure(panelContext())).toEqual({});
    mockVariables = queueVariable(['$__all']); // All (allValue ".+" in the Jobs overview dashboard)
    expect(configure(panelContext())).toEqual({});
  });

  it("checks queue names with the contract's QueueName (a ':' is the source's business, blank or control is not a name)", () => {
    const scoped = (value: string) => panelContext({ scopedVars: { queue: { text: value, value } } });
    expect(configure(scoped('tenant:email'))).toEqual({
      path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=tenant%3Aemail',
    });
    expect(configure(scoped('   '))).toEqual({});
    expect(configure(scoped('bad\u0007name'))).toEqual({});
  });
});

describe('added links', () => {
  const declared = pluginJson.extensions.addedLinks;
  const added = plugin.addedLinkConfigs.map((l) => ({ title: l.title, description: l.description, targets: [l.targets].flat() }));

  it('every addLink call is declared in plugin.json extensions.addedLinks, and every declaration is added (same order)', () => {
    // Grafana ignores an added link that plugin.json does not declare with the same title and target.
    expect(added).toEqual(declared);
    expect(ADDED_LINKS).toHaveLength(declared.length);
  });

  it('adds the panel menu, alert instance and command palette links', () => {
    expect(declared.map((d) => [d.targets, d.title])).toEqual([
      [['grafana/dashboard/panel/menu'], 'Show jobs in jobscope'],
      [['grafana/alerting/instance/action'], 'Show failed jobs in jobscope'],
      [['grafana/commandpalette/action'], 'Jobscope: failed jobs'],
      [['grafana/commandpalette/action'], 'Jobscope: running jobs'],
    ]);
    expect(PluginExtensionPoints.AlertInstanceAction).toBe('grafana/alerting/instance/action');
    expect(PluginExtensionPoints.CommandPalette).toBe('grafana/commandpalette/action');
  });

  it('titles are unique per extension point and long enough for the plugin.json schema', () => {
    const keys = declared.flatMap((d) => d.targets.map((t) => `${t} ${d.title}`));
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of declared) {
      expect(d.title.length).toBeGreaterThanOrEqual(10);
    }
  });
});
