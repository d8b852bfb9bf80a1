import { Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATES, METRICS } from '@jobscope/contract';
import type { JobSource, QueueStats } from '../sources/source';
import type { StatsCache, StatsReading } from '../health/stats-cache';
import type { SourceRegistry } from '../sources/registry';
import { queueHealthStatus } from '../health/evaluate';
import type { HealthSettings } from '../health/thresholds';

export interface ServiceMetrics {
  /** One registry per app (never prom-client's global one), so several apps can live in one process. */
  registry: Registry;
  /** SnapshotService's `onBuilt` hook. */
  observeSnapshot(seconds: number): void;
}


const HEALTH_VALUE = { pass: 0, warn: 1, fail: 2 } as const;

/**
 * Every metric is computed at scrape time from one shared StatsCache reading (collect callbacks), never by listing
 * jobs. When Redis is down, queue series disappear rather than repeat stale numbers, and `jobscope_redis_up` is 0.
 */
export function createMetrics(opts: { stats: StatsCache; health: HealthSettings; registry: SourceRegistry }): ServiceMetrics {
  const registry = new Registry();
  const windowS = Math.round(opts.stats.windowMs / 1000);
  const labelNames = ['source', 'prefix', 'queue'] as const;
  const labelsOf = (s: QueueStats) => ({ source: s.source, prefix: s.prefix, queue: s.name });

  /** A per-queue gauge; `value` returning null leaves the queue's series out. */
  const perQueue = (name: string, help: string, value: (s: QueueStats, r: StatsReading) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const reading = await opts.stats.get();
        this.reset();
        for (const s of reading.queues) {
          const v = value(s, reading);
          if (v !== null) {
            this.set(labelsOf(s), v);
          }
        }
      },
    });

  new Gauge({
    name: METRICS.queueJobs,
    help: 'Jobs per queue and state as jobscope shows them (RUNNING, PENDING, ...), for every source.',
    labelNames: [...labelNames, 'state'],
    registers: [registry],
    async collect() {
      const reading = await opts.stats.get();
      this.reset();
      for (const s of reading.queues) {
        for (const state of JOB_STATES) {
          this.set({ ...labelsOf(s), state }, s.counts[state]);
        }
      }
    },
  });
  // A source's own well-known gauge (BullMQ: bullmq_jobs with BullMQ's state names), labelled as its exporter does.
  const nativeMetrics = new Map<string, { native: NonNullable<JobSource['reads']['nativeJobsMetric']>; ids: Set<string> }>();
  for (const source of opts.registry.sources) {
    const native = source.reads.nativeJobsMetric;
    if (native) {
      const entry = nativeMetrics.get(native.name) ?? { native, ids: new Set<string>() };
      entry.ids.add(source.id);
      nativeMetrics.set(native.name, entry);
    }
  }
  for (const { native, ids } of nativeMetrics.values()) {
    new Gauge({
      name: native.name,
      help: native.help,
      labelNames: ['prefix', 'queue', 'state'],
      registers: [registry],
      async collect() {
        const reading = await opts.stats.get();
        this.reset();
        for (const s of reading.queues.filter((q) => ids.has(q.source))) {
          for (const [state, n] of Object.entries(s.nativeCounts)) {
            this.set({ prefix: s.prefix, queue: s.name, state: native.stateLabel(state) }, n);
          }
        }
      },
    });
  }
  perQueue(METRICS.queueWorkers, 'Workers connected to the queue (absent where CLIENT LIST is refused).', (s) =>
    s.workers === 'unknown' ? null : s.workers
  );
  perQueue(METRICS.queuePaused, '1 when the queue is paused.', (s) => (s.paused ? 1 : 0));
  perQueue(METRICS.queueOldestWaitingAge, 'Age of the oldest job waiting to run, 0 when none waits.', (s) =>
    s.oldestWaitingAgeMs / 1000
  );
  perQueue(METRICS.queueRecentFailures, `Jobs that failed within the last ${windowS} s.`, (s) => s.recentFailures);
  perQueue(METRICS.queueRecentCompletions, `Jobs that completed within the last ${windowS} s.`, (s) =>
    s.recentCompletions
  );
  perQueue(METRICS.queueStalled, 'Running jobs whose worker is gone (a bounded number is checked; absent where unknown).', (s) =>
    s.stalled
  );
  perQueue(METRICS.queueHealth, 'Queue health as /api/health grades it: 0 pass, 1 warn, 2 fail.', (s, r) =>
    HEALTH_VALUE[queueHealthStatus(s, opts.health, { time: new Date(r.takenAtMs).toISOString(), windowMs: r.windowMs })]
  );

  const snapshotDuration = new Histogram({
    name: METRICS.snapshotDuration,
    help: 'Time to build a jobs/status snapshot from Redis.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  new Gauge({
    name: METRICS.redisUp,
    help: '1 when Redis answered PING at the last reading.',
    registers: [registry],
    async collect() {
      this.set((await opts.stats.get()).redis.ok ? 1 : 0);
    },
  });
  new Gauge({
    name: METRICS.redisLatency,
    help: 'PING round trip to Redis at the last reading (absent while Redis is down).',
    registers: [registry],
    async collect() {
      const { redis } = await opts.stats.get();
      if (redis.ok && redis.latencyMs !== null) {
        this.set(redis.latencyMs / 1000);
      } else {
        // An unlabelled gauge always has a 0 sample; removing it keeps "no answer" from reading as "0 s".
        this.reset();
        this.remove({});
      }
    },
  });

  return { registry, observeSnapshot: (seconds) => snapshotDuration.observe(seconds) };
}
