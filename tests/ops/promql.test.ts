import { METRICS } from '@jobscope/contract';
import { BULLMQ_METRIC_STATES as METRIC_JOB_STATES } from '../../service/src/sources/bullmq/native-states';
import { histogramBase, metricNames, variableQueryMetrics } from './promql';
import { dashboardExpressions, alertExpressions } from './sources';

const KNOWN = new Set<string>(Object.values(METRICS));

describe('PromQL metric-name extraction', () => {
  it.each([
    ['min(jobscope_redis_up) or on() vector(0)', ['jobscope_redis_up']],
    ['sum by (prefix, queue) (bullmq_jobs{queue=~"$queue", state=~"waiting|paused"})', ['bullmq_jobs']],
    ['rate(foo_total[5m]) / ignoring(x) group_left(y) bar offset 5m', ['bar', 'foo_total']],
    ['a > 0 and on (prefix, queue) max by (prefix, queue) (b) == 0', ['a', 'b']],
    ['histogram_quantile(0.9, sum by (le) (rate(x_bucket[$__rate_interval])))', ['x_bucket']],
    ['clamp_min(sum(up{job="a b"}), 1e3)', ['up']],
  ])('%s', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it('maps histogram series to their histogram', () => {
    expect(histogramBase('jobscope_snapshot_duration_seconds_bucket')).toBe('jobscope_snapshot_duration_seconds');
    expect(histogramBase('jobscope_snapshot_duration_seconds_count')).toBe('jobscope_snapshot_duration_seconds');
    expect(histogramBase('bullmq_jobs_count')).toBe('bullmq_jobs_count');
  });

  it('reads label_values() variable queries', () => {
    expect(variableQueryMetrics('label_values(bullmq_jobs, queue)')).toEqual(['bullmq_jobs']);
  });
});

describe('dashboards and alert rules use only contract metric names', () => {
  const all = [...dashboardExpressions(), ...alertExpressions()];

  it('finds the expressions (sanity: the walkers see every panel and rule)', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
  });

  it.each(all.map((e) => [e.where, e.expr, e.isVariable] as const))('%s', (_where, expr, isVariable) => {
    const names = isVariable ? variableQueryMetrics(expr) : metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !KNOWN.has(histogramBase(n)))).toEqual([]);
  });

  it('the state label values used with bullmq_jobs are BullMQ exporter states', () => {
    for (const { expr } of all) {
      for (const m of expr.matchAll(/state\s*=~?\s*"([^"]+)"/g)) {
        for (const s of m[1].split('|')) {
          expect(METRIC_JOB_STATES).toContain(s);
        }
      }
    }
  });
});
