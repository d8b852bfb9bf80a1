import { PLUGIN_ID } from '@jobscope/contract';
import { PROVISIONED_PROMETHEUS_UID, listFiles, readYaml } from './repo';
import { alertRules, dashboards } from './sources';

const yamlFiles = listFiles('provisioning', /\.ya?ml$/);

describe('provisioning YAML', () => {
  it('ships plugins, datasources, dashboards, alerting and the Prometheus config', () => {
    for (const dir of ['plugins', 'datasources', 'dashboards', 'alerting', 'prometheus']) {
      expect(yamlFiles.some((f) => f.startsWith(`provisioning/${dir}/`))).toBe(true);
    }
  });

  it.each(yamlFiles)('%s parses (no duplicate keys)', (file) => {
    const doc = readYaml<Record<string, unknown>>(file);
    expect(doc && typeof doc).toBe('object');
    if (!file.startsWith('provisioning/prometheus/')) {
      expect(doc.apiVersion).toBe(1);
    }
  });
});

describe('app provisioning', () => {
  const apps = listFiles('provisioning/plugins', /\.ya?ml$/).flatMap(
    (f) => readYaml<{ apps: Array<Record<string, unknown>> }>(f).apps
  );

  it('enables the plugin with the service URL and the API token from the environment', () => {
    const app = apps.find((a) => a.type === PLUGIN_ID);
    expect(app).toBeDefined();
    expect(app?.disabled).toBe(false);
    expect(app?.jsonData).toEqual({ serviceUrl: '${JOBSCOPE_SERVICE_URL}' });
    expect(app?.secureJsonData).toEqual({ apiToken: '${JOBSCOPE_API_TOKEN}' });
  });
});

describe('datasource provisioning', () => {
  const ds = readYaml<{ datasources: Array<Record<string, unknown>> }>('provisioning/datasources/prometheus.yaml').datasources;

  it('has one Prometheus with a fixed uid', () => {
    const prom = ds.filter((d) => d.type === 'prometheus');
    expect(prom).toHaveLength(1);
    expect(PROVISIONED_PROMETHEUS_UID).toMatch(/^[a-z0-9-]+$/);
    expect(prom[0].access).toBe('proxy');
  });
});

describe('folders', () => {
  it('dashboards and alert rules share the "Jobscope" folder, found by title (a folderUid would create a second one)', () => {
    const providers = listFiles('provisioning/dashboards', /\.ya?ml$/).flatMap(
      (f) => readYaml<{ providers: Array<{ folder?: string; folderUid?: string }> }>(f).providers
    );
    const ruleFolders = listFiles('provisioning/alerting', /\.ya?ml$/).flatMap((f) =>
      (readYaml<{ groups?: Array<{ folder: string }> }>(f).groups ?? []).map((g) => g.folder)
    );
    expect(ruleFolders.length).toBeGreaterThan(0);
    for (const p of providers) {
      expect(p.folderUid).toBeUndefined();
      expect(ruleFolders.every((f) => f === p.folder)).toBe(true);
    }
  });
});

describe('alert rules', () => {
  const rules = alertRules();
  const dashboardPanels = new Map(
    dashboards().map(({ dashboard }) => [dashboard.uid, new Set(dashboard.panels.map((p) => String(p.id)))])
  );

  it('cover service health, queue failures, backlog age and missing workers with unique uids', () => {
    const uids = rules.map((r) => r.rule.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const exprs = rules.flatMap((r) => r.rule.data.map((q) => String(q.model.expr ?? ''))).join('\n');
    for (const metric of ['jobscope_redis_up', 'jobscope_queue_health', 'jobscope_queue_recent_failures', 'jobscope_queue_oldest_waiting_age_seconds', 'jobscope_queue_workers']) {
      expect(exprs).toContain(metric);
    }
  });

  it.each(rules.map((r) => [r.rule.uid, r.rule] as const))('%s is well formed', (_uid, rule) => {
    const refIds = rule.data.map((q) => q.refId);
    expect(new Set(refIds).size).toBe(refIds.length);
    expect(refIds).toContain(rule.condition);
    for (const q of rule.data) {
      if (q.datasourceUid === '__expr__') {
        // reduce/threshold/math expressions must point at an existing query
        expect(refIds).toContain(q.model.expression);
      } else {
        expect(q.datasourceUid).toBe(PROVISIONED_PROMETHEUS_UID);
        expect(q.model.instant).toBe(true);
      }
    }
    expect(['OK', 'NoData', 'Alerting', 'KeepLast']).toContain(rule.noDataState);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect(rule.labels?.severity).toMatch(/^(critical|warning)$/);
    // ${...} in annotations would be replaced from Grafana's environment at provisioning time.
    for (const value of Object.values(rule.annotations ?? {})) {
      expect(value).not.toMatch(/\$\{/);
    }
    // Alert templates: balanced actions, and only the variables Grafana provides to annotations.
    for (const value of Object.values(rule.annotations ?? {})) {
      expect(value.split('{{').length).toBe(value.split('}}').length);
      for (const m of value.matchAll(/\$(\w+)/g)) {
        expect(['labels', 'values', 'value']).toContain(m[1]);
      }
      for (const m of value.matchAll(/\$labels\.(\w+)/g)) {
        const exprs = rule.data.map((q) => String(q.model.expr ?? '')).join(' ');
        // a label used in a template must survive the query's aggregation
        expect(exprs).toMatch(new RegExp(`by \\([^)]*\\b${m[1]}\\b`));
      }
    }
    const dashUid = rule.annotations?.__dashboardUid__;
    expect(dashboardPanels.get(String(dashUid))?.has(String(rule.annotations?.__panelId__))).toBe(true);
  });

  it('route to a provisioned contact point', () => {
    const docs = listFiles('provisioning/alerting', /\.ya?ml$/).map((f) => readYaml<Record<string, unknown>>(f));
    const contactPoints = docs.flatMap((d) => (d.contactPoints as Array<{ name: string }> | undefined) ?? []).map((c) => c.name);
    const receivers: string[] = [];
    const walk = (p: { receiver?: string; routes?: unknown[] }) => {
      if (p.receiver) receivers.push(p.receiver);
      (p.routes as Array<typeof p> | undefined)?.forEach(walk);
    };
    docs.flatMap((d) => (d.policies as Array<Record<string, unknown>> | undefined) ?? []).forEach(walk);
    expect(receivers.length).toBeGreaterThan(0);
    for (const r of receivers) {
      expect(contactPoints).toContain(r);
    }
  });
});
