import Ajv from 'ajv';
// The dashboard's job counts use the BullMQ gauge, so its state names are the BullMQ source's own.
import {
  BULLMQ_METRIC_STATES as METRIC_JOB_STATES,
  METRIC_STATE_OF_BULLMQ as METRIC_STATE_OF_NATIVE,
  STATE_OF_BULLMQ as STATE_OF_NATIVE,
  type BullMQNativeState as NativeState,
} from '../../service/src/sources/bullmq/native-states';
import { DASHBOARD_SCHEMA } from './dashboard-schema';
import { allPanels, dashboards, dashboardFiles } from './sources';
import { DASHBOARD_DIR, PROVISIONED_PROMETHEUS_UID, listFiles, readYaml } from './repo';

const found = dashboards();

describe('dashboard files', () => {
  it('exist only in the one source folder (the provider reads it through a mount; no copy under provisioning/)', () => {
    expect(dashboardFiles().length).toBeGreaterThan(0);
    expect(listFiles('provisioning', /\.json$/)).toEqual([]);
    expect(dashboardFiles().every((f) => f.startsWith(`${DASHBOARD_DIR}/`))).toBe(true);
  });

  it('have unique uids and titles', () => {
    const uids = found.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const titles = found.map((d) => d.dashboard.title);
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe.each(found.map((d) => [d.file, d.dashboard] as const))('%s', (_file, dashboard) => {
  const panels = allPanels(dashboard);
  const queryPanels = panels.filter((p) => p.type !== 'row');

  it('has the Grafana dashboard shape provisioning needs', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(DASHBOARD_SCHEMA);
    const ok = validate(dashboard);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has unique panel ids', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays panels out without overlap', () => {
    const cells = new Map<string, number>();
    for (const p of panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const other = cells.get(`${x},${y}`);
          expect(other === undefined ? null : `panel ${p.id} overlaps panel ${other}`).toBeNull();
          cells.set(`${x},${y}`, p.id);
        }
      }
    }
  });

  it('queries the provisioned Prometheus datasource uid everywhere', () => {
    for (const p of queryPanels) {
      expect(p.datasource?.uid).toBe(PROVISIONED_PROMETHEUS_UID);
      for (const t of p.targets ?? []) {
        expect(t.datasource?.uid).toBe(PROVISIONED_PROMETHEUS_UID);
      }
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type === 'query') {
        expect((v.datasource as { uid: string }).uid).toBe(PROVISIONED_PROMETHEUS_UID);
      }
    }
  });

  it('has a multi-value `queue` variable', () => {
    const q = (dashboard.templating?.list ?? []).find((v) => v.name === 'queue');
    expect(q).toMatchObject({ type: 'query', multi: true, includeAll: true });
  });

  it('stores Prometheus variable queries in the form the variable editor rebuilds them from', () => {
    // Grafana turns {qryType: 1, metric, label} back into `label_values(metric,label)`; without metric/label it would
    // send `label_values(undefined)` (migrateVariableEditorBackToVariableSupport in Grafana's Prometheus plugin).
    for (const v of (dashboard.templating?.list ?? []).filter((x) => x.type === 'query')) {
      const q = v.query as string | { qryType?: number; metric?: string; label?: string; query?: string };
      if (typeof q === 'string') {
        continue;
      }
      expect(q.qryType).toBe(1);
      expect(q.label && q.metric).toBeTruthy();
      expect(q.query).toBe(`label_values(${q.metric},${q.label})`);
      expect(v.definition).toBe(q.query);
    }
  });

  it('gives every series grouped by queue a data link carrying that queue', () => {
    for (const p of queryPanels) {
      const perQueue = (p.targets ?? []).filter((t) => /by\s*\([^)]*\bqueue\b/.test(t.expr ?? ''));
      if (perQueue.length === 0) {
        continue;
      }
      const overrideLinks = (refId: string) =>
        (p.fieldConfig?.overrides ?? [])
          .filter((o) => o.matcher.id === 'byFrameRefID' && o.matcher.options === refId)
          .flatMap((o) => o.properties.filter((pr) => pr.id === 'links').flatMap((pr) => pr.value as Array<{ url: string }>));
      for (const t of perQueue) {
        const links = [...(p.fieldConfig?.defaults?.links ?? []), ...overrideLinks(t.refId)];
        const urls = links.map((l) => l.url).join(' ');
        expect(`${p.title}/${t.refId}: ${urls}`).toMatch(/queue=(\$\{__field\.labels\.queue:percentencode\}|\$\{queue:percentencode\})/);
      }
    }
  });

  it('folds BullMQ states into Jobs-tab states exactly as the contract does (query state regex <-> link state)', () => {
    const nativeOf = (metricState: string) =>
      (Object.keys(METRIC_STATE_OF_NATIVE) as NativeState[]).find((n) => METRIC_STATE_OF_NATIVE[n] === metricState)!;
    for (const p of queryPanels) {
      const stateLinked = (p.fieldConfig?.overrides ?? []).filter((o) => o.matcher.id === 'byFrameRefID');
      if (stateLinked.length === 0) continue;
      const covered: string[] = [];
      for (const o of stateLinked) {
        const target = (p.targets ?? []).find((t) => t.refId === o.matcher.options);
        const regex = /state=~"([^"]+)"/.exec(target?.expr ?? '');
        expect(regex).not.toBeNull();
        const metricStates = (regex as RegExpExecArray)[1].split('|');
        covered.push(...metricStates);
        const urls = o.properties.filter((pr) => pr.id === 'links').flatMap((pr) => pr.value as Array<{ url: string }>);
        const linked = new Set(urls.map((u) => new URL(u.url, 'http://x').searchParams.get('state')));
        expect([...linked]).toEqual([...new Set(metricStates.map((m) => STATE_OF_NATIVE[nativeOf(m)]))]);
      }
      expect(covered.sort()).toEqual([...METRIC_JOB_STATES].sort());
    }
  });

  it('repeats per-queue rows over the queue variable, and their panels filter links by it', () => {
    const repeated = dashboard.panels.filter((p) => p.type === 'row' && p.repeat);
    for (const row of repeated) {
      expect(row.repeat).toBe('queue');
      const start = dashboard.panels.indexOf(row);
      const next = dashboard.panels.findIndex((p, i) => i > start && p.type === 'row');
      const members = [...(row.panels ?? []), ...dashboard.panels.slice(start + 1, next === -1 ? undefined : next)];
      expect(members.length).toBeGreaterThan(0);
      for (const p of members) {
        expect(p.links?.every((l) => l.url.includes('queue=${queue:percentencode}'))).toBe(true);
      }
    }
  });

  it('links the dashboard to the app', () => {
    expect((dashboard.links ?? []).some((l) => l.url?.startsWith('/a/jobscope-jobs-app/'))).toBe(true);
  });
});

describe('dashboard provider', () => {
  const providers = listFiles('provisioning/dashboards', /\.ya?ml$/).flatMap(
    (f) => readYaml<{ apiVersion: number; providers: Array<{ type: string; options: { path: string } }> }>(f).providers
  );

  it('is a file provider with a container path (docker-compose mounts the dashboard folder there)', () => {
    expect(providers).toHaveLength(1);
    expect(providers[0].type).toBe('file');
    expect(providers[0].options.path).toMatch(/^\//);
  });
});
