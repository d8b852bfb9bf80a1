import { emptyStateCounts } from '@jobscope/contract';
import { loadConfig, ConfigError } from '../src/config';
import { thresholdsFor } from '../src/health/thresholds';
import { evaluateQueue } from '../src/health/evaluate';
import type { QueueStats } from '../src/sources/source';

/** Unit tests: threshold settings from the environment, per-queue overrides, and grading rules without Redis. */
describe('health settings from the environment', () => {
  it('has documented defaults', () => {
    const { health } = loadConfig({});
    expect(health).toEqual({
      windowMs: 300_000,
      timeoutMs: 800,
      statsTtlMs: 1000,
      stalledCheckLimit: 100,
      redisLatencyMs: { warn: 250, fail: null },
      defaults: {
        failures: { warn: 1, fail: 10 },
        backlogAgeMs: { warn: 60_000, fail: 300_000 },
        noWorkersMs: { warn: 0, fail: 300_000 },
        stalled: { warn: 1, fail: null },
        paused: 'warn',
      },
      overrides: {},
    });
  });

  it('reads numbers, "off" and per-queue overrides merged over the defaults', () => {
    const { health } = loadConfig({
      JOBSCOPE_HEALTH_FAILURES_WARN: '5',
      JOBSCOPE_HEALTH_FAILURES_FAIL: 'off',
      JOBSCOPE_HEALTH_PAUSED: 'pass',
      JOBSCOPE_HEALTH_QUEUE_OVERRIDES: '{"emails":{"failures":{"fail":50},"backlogAgeMs":{"warn":null},"paused":"fail"}}',
    });
    expect(thresholdsFor(health, 'other').failures).toEqual({ warn: 5, fail: null });
    expect(thresholdsFor(health, 'emails')).toMatchObject({
      failures: { warn: 5, fail: 50 },
      backlogAgeMs: { warn: null, fail: 300_000 },
      paused: 'fail',
    });
    // Not inherited from Object.prototype.
    expect(thresholdsFor(health, 'toString').failures).toEqual({ warn: 5, fail: null });
  });

  it.each([
    [{ JOBSCOPE_HEALTH_QUEUE_OVERRIDES: '{nope' }, 'JOBSCOPE_HEALTH_QUEUE_OVERRIDES: must be JSON'],
    [{ JOBSCOPE_HEALTH_QUEUE_OVERRIDES: '{"q":{"failure":{"warn":1}}}' }, 'JOBSCOPE_HEALTH_QUEUE_OVERRIDES'],
    [{ JOBSCOPE_HEALTH_QUEUE_OVERRIDES: '{" ":{}}' }, 'must not be blank'],
    [{ JOBSCOPE_HEALTH_QUEUE_OVERRIDES: '{"q":{"stalled":{"warn":-1}}}' }, 'JOBSCOPE_HEALTH_QUEUE_OVERRIDES'],
    [{ JOBSCOPE_HEALTH_FAILURES_WARN: 'many' }, 'JOBSCOPE_HEALTH_FAILURES_WARN: must be a number >= 0 or "off"'],
    [{ JOBSCOPE_HEALTH_BACKLOG_FAIL_MS: '-5' }, 'JOBSCOPE_HEALTH_BACKLOG_FAIL_MS'],
    [{ JOBSCOPE_HEALTH_PAUSED: 'ok' }, 'JOBSCOPE_HEALTH_PAUSED: must be pass, warn or fail'],
    [{ JOBSCOPE_HEALTH_WINDOW_MS: '10' }, 'JOBSCOPE_HEALTH_WINDOW_MS'],
    [{ JOBSCOPE_HEALTH_TIMEOUT_MS: '0' }, 'JOBSCOPE_HEALTH_TIMEOUT_MS'],
  ])('rejects %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('grading one queue', () => {
  const settings = loadConfig({}).health;
  const info = { time: '2026-01-01T00:00:00.000Z', windowMs: 300_000 };
  const stats = (over: Partial<QueueStats>): QueueStats => ({
    source: 'bullmq',
    prefix: 'bull',
    name: 'q',
    counts: emptyStateCounts(),
    nativeCounts: { active: 0, wait: 0, paused: 0, prioritized: 0, delayed: 0, 'waiting-children': 0, failed: 0, completed: 0 },
    waiting: 0,
    running: 0,
    paused: false,
    workers: 1,
    oldestWaitingAgeMs: 0,
    recentFailures: 0,
    recentCompletions: 0,
    stalled: 0,
    stalledChecked: 0,
    ...over,
  });
  const grade = (s: QueueStats) => evaluateQueue(s, thresholdsFor(settings, 'q'), info);

  it('passes an idle queue without workers (scaled to zero is fine while nothing waits)', () => {
    expect(grade(stats({ workers: 0 })).status).toBe('pass');
  });

  it('grades waiting jobs without workers by the age of the oldest', () => {
    const waiting = { workers: 0, waiting: 2 };
    expect(grade(stats({ ...waiting, oldestWaitingAgeMs: 1000 })).checks.workers.status).toBe('warn');
    expect(grade(stats({ ...waiting, oldestWaitingAgeMs: 300_000 })).checks.workers.status).toBe('fail');
  });

  it('does not escalate backlog or missing workers of a paused queue, and reports the pause itself', () => {
    const h = grade(stats({ paused: true, workers: 0, oldestWaitingAgeMs: 900_000, waiting: 9 }));
    expect(h.checks.backlogAge.status).toBe('pass');
    expect(h.checks.workers.status).toBe('pass');
    expect(h.checks.paused).toMatchObject({ observedValue: true, status: 'warn' });
    expect(h.status).toBe('warn');
  });

  it('passes the workers check where CLIENT LIST is refused', () => {
    expect(grade(stats({ workers: 'unknown' })).checks.workers).toMatchObject({ observedValue: 'unknown', status: 'pass' });
  });

  it('grades backlog age, failures and stalled jobs at their thresholds', () => {
    expect(grade(stats({ oldestWaitingAgeMs: 59_999 })).checks.backlogAge.status).toBe('pass');
    expect(grade(stats({ oldestWaitingAgeMs: 60_000 })).checks.backlogAge).toMatchObject({ status: 'warn', observedValue: 60, observedUnit: 's' });
    expect(grade(stats({ oldestWaitingAgeMs: 300_000 })).checks.backlogAge.status).toBe('fail');
    expect(grade(stats({ recentFailures: 9 })).checks.failures.status).toBe('warn');
    expect(grade(stats({ recentFailures: 10 })).checks.failures.status).toBe('fail');
    expect(grade(stats({ stalled: 3, stalledChecked: 4 })).checks.stalled).toMatchObject({ status: 'warn', output: '3 of 4 running job(s) checked have lost their worker' });
  });
});
