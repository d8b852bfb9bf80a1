import { PLUGIN_ID, SETTINGS_PAGE_PATH } from '@jobscope/contract';
import { linkProblems } from './links';
import { alertRules, dashboards, urlsIn } from './sources';
import { readJson, readText } from './repo';

/**
 * Template forms a link may use for the queue: the repeat/dashboard variable or the series label in dashboards, the
 * alert label in rules — always URL-encoded, since queue names may hold `&`, `#`, `+` or spaces.
 */
const DASHBOARD_QUEUE_TEMPLATES = ['${__field.labels.queue:percentencode}', '${queue:percentencode}'];
const ALERT_QUEUE_TEMPLATES = ['{{ $labels.queue | urlquery }}'];

describe('link checker', () => {
  it('accepts a contract-shaped jobs link', () => {
    expect(linkProblems('/a/jobscope-jobs-app/settings?tab=jobs&queue=${queue:percentencode}&state=FAILURE', DASHBOARD_QUEUE_TEMPLATES)).toEqual([]);
  });
  it.each([
    ['http://localhost:3000/a/jobscope-jobs-app/settings?tab=jobs', 'relative'],
    ['/a/jobscope-jobs-app/config?tab=jobs', 'Settings page'],
    ['/a/jobscope-jobs-app/settings?tab=logs', 'tab=logs'],
    ['/a/jobscope-jobs-app/settings?tab=jobs&state=failed', 'state=failed'],
    ['/a/jobscope-jobs-app/settings?tab=jobs&queue=${__series.name}', 'template'],
    ['/a/jobscope-jobs-app/settings?tab=jobs&var-queue=x', 'unknown query key'],
    ['/a/jobscope-jobs-app/settings?tab=jobs&queue=${queue}', 'template'],
    ['/a/jobscope-jobs-app/settings?tab=jobs&state=FAILURE&queue=${queue:percentencode}', 'jobsTabUrl'],
    ['/a/jobscope-jobs-app/settings?tab=queues&queue=${queue:percentencode}', 'only exist on the jobs tab'],
  ])('rejects %s', (url, message) => {
    expect(linkProblems(url, DASHBOARD_QUEUE_TEMPLATES).join('; ')).toContain(message);
  });
});

describe('dashboard links target pages the plugin serves', () => {
  const all = dashboards().flatMap(({ file, dashboard }) => urlsIn(dashboard).map((u) => ({ ...u, file })));

  it('has links to check', () => {
    expect(all.length).toBeGreaterThan(20);
  });

  it.each(all.map((l) => [`${l.file}${l.path}`, l.url] as const))('%s', (_where, url) => {
    expect(linkProblems(url, DASHBOARD_QUEUE_TEMPLATES)).toEqual([]);
  });
});

describe('alert rule links target pages the plugin serves', () => {
  const rules = alertRules();

  it.each(rules.map(({ rule }) => [rule.uid, rule] as const))('%s', (_uid, rule) => {
    const url = rule.annotations?.jobs_url;
    expect(url).toBeDefined();
    expect(linkProblems(url as string, ALERT_QUEUE_TEMPLATES)).toEqual([]);
    // Rules that fire per queue must link to that queue's jobs.
    const perQueue = rule.data.some((q) => /by\s*\([^)]*\bqueue\b/.test(String(q.model.expr ?? '')));
    if (perQueue) {
      expect(url).toContain('queue={{ $labels.queue | urlquery }}');
    }
  });
});

describe("the plugin's plugin.json serves those links", () => {
  const plugin = readJson<{ id: string; includes?: Array<{ type: string; path?: string; name?: string }> }>(
    'grafana-plugin/src/plugin.json'
  );
  const resolve = (p = '') => p.replace(/%PLUGIN_ID%/g, plugin.id);

  it('is the contract plugin id', () => {
    expect(plugin.id).toBe(PLUGIN_ID);
  });

  it(`has a page include for ${SETTINGS_PAGE_PATH}`, () => {
    const pages = (plugin.includes ?? []).filter((i) => i.type === 'page').map((i) => resolve(i.path));
    expect(pages).toContain(SETTINGS_PAGE_PATH);
  });

  it('the plugin build copies src/**/*.json into dist, so the include path resolves in the built plugin', () => {
    expect(readText('grafana-plugin/.config/bundler/copyFiles.ts')).toMatch(/\{ from: '\*\*\/\*\.json', to: '\.' \}/);
  });

  it('bundles every dashboard of grafana-plugin/src/dashboards as a dashboard include', () => {
    const included = (plugin.includes ?? []).filter((i) => i.type === 'dashboard').map((i) => `grafana-plugin/src/${i.path}`);
    for (const { file } of dashboards().filter((d) => d.file.startsWith('grafana-plugin/'))) {
      expect(included).toContain(file);
    }
  });
});
