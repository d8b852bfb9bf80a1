import { type AlertInstanceContext, alertInstanceLinkConfig, queueOfAlert } from './alertInstanceLink';

const configure = (ctx: AlertInstanceContext) =>
  (alertInstanceLinkConfig.configure as (c: AlertInstanceContext) => { path?: string } | undefined)(ctx);

/** `{ instance, rule }` as Grafana's AlertInstanceExtensionPoint passes it for a shipped rule's firing instance. */
const firing = (labels: Record<string, string>, ruleLabels: Record<string, string> = {}): AlertInstanceContext => ({
  instance: { labels: { alertname: 'Jobscope queue failures', ...labels } },
  rule: { labels: ruleLabels },
});

describe('alert instance link', () => {
  it("opens the Jobs tab on the alert's queue, filtered to failures", () => {
    expect(configure(firing({ prefix: 'bull', queue: 'email' }))).toEqual({
      path: '/a/jobscope-jobs-app/settings?tab=jobs&queue=email&state=FAILURE',
    });
    expect(alertInstanceLinkConfig.path).toBe('/a/jobscope-jobs-app/settings?tab=jobs&state=FAILURE');
  });

  it("falls back to the rule's queue label", () => {
    expect(queueOfAlert(firing({}, { queue: 'reports' }))).toBe('reports');
    expect(queueOfAlert(firing({ queue: 'email' }, { queue: 'reports' }))).toBe('email');
  });

  it('hides itself on alerts that are not about a queue (Grafana shows the point on every instance)', () => {
    expect(configure(firing({ instance: 'db-1' }))).toBeUndefined();
    expect(configure({})).toBeUndefined();
    expect(configure(firing({ queue: '$queue' }))).toBeUndefined();
    expect(configure(firing({ queue: '  ' }))).toBeUndefined();
  });

  it('encodes the queue name', () => {
    expect(configure(firing({ queue: 'tenant:a&b' }))?.path).toBe(
      '/a/jobscope-jobs-app/settings?tab=jobs&queue=tenant%3Aa%26b&state=FAILURE'
    );
  });
});
