import type { RedisStatus, UnreachableNode } from '@jobscope/contract';
import type { QueueStats, QueueStatsReport } from '../sources/source';
import type { SourceRegistry } from '../sources/registry';
import { errorMessage, type RedisProbe } from '../redis/probe';
import { withTimeout } from './with-timeout';
import { SharedRead } from '../shared-read';

/** What health and /metrics see: always an answer, never a throw; `queues` is empty when Redis could not be read. */
export interface StatsReading {
  takenAtMs: number;
  redis: RedisStatus;
  queues: QueueStats[];
  workers: QueueStatsReport['workers'];
  /** Why the queue stats are missing although Redis answered PING (e.g. a script error); null when fine. */
  statsError: string | null;
  /** Cluster nodes that did not answer; their queues are missing from `queues`. */
  unreachable: UnreachableNode[];
  windowMs: number;
}

export interface StatsCacheOptions {
  registry: SourceRegistry;
  probe: RedisProbe;
  ttlMs: number;
  timeoutMs: number;
  windowMs: number;
  maxLockChecks: number;
  now?: () => number;
}

/**
 * Reads queue stats for health probes and scrapes and shares them: concurrent callers share one in-flight read and a
 * reading is reused for `ttlMs`, so probes per queue plus scrapes cost one Redis round trip per TTL. The whole read
 * is bounded by `timeoutMs`. A failed reading carries no queue stats: stale numbers must not look healthy.
 */
export class StatsCache {
  private readonly shared: SharedRead<StatsReading>;
  private readonly now: () => number;

  constructor(private readonly opts: StatsCacheOptions) {
    this.now = opts.now ?? Date.now;
    this.shared = new SharedRead<StatsReading>(opts.ttlMs, this.now);
  }

  get windowMs(): number {
    return this.opts.windowMs;
  }

  /** After a write: the next reading goes to Redis. */
  invalidate(): void {
    this.shared.invalidate();
  }

  get(): Promise<StatsReading> {
    return this.shared.get(() => this.read());
  }

  private async read(): Promise<StatsReading> {
    const now = this.now();
    const base = { takenAtMs: now, windowMs: this.opts.windowMs, workers: { status: 'ok' as const, reason: null }, unreachable: [] };
    let reading: StatsReading;
    try {
      const request = { windowMs: this.opts.windowMs, now, maxLockChecks: this.opts.maxLockChecks };
      const [redis, reports] = await withTimeout(
        Promise.all([this.opts.probe.ping(), Promise.allSettled(this.opts.registry.sources.map((s) => s.reads.queueStats(request)))]),
        this.opts.timeoutMs,
        'reading Redis'
      );
      if (!redis.ok) {
        reading = { ...base, redis, queues: [], statsError: null };
      } else {
        const failed = reports.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        const ok = reports.filter((r): r is PromiseFulfilledResult<QueueStatsReport> => r.status === 'fulfilled');
        const unknown = ok.find((r) => r.value.workers.status === 'unknown');
        reading = {
          ...base,
          redis,
          queues: failed ? [] : ok.flatMap((r) => r.value.queues),
          workers: unknown ? unknown.value.workers : base.workers,
          statsError: failed ? errorMessage(failed.reason) : null,
          unreachable: ok.flatMap((r) => r.value.unreachable ?? []),
        };
      }
    } catch (err) {
      reading = {
        ...base,
        redis: { ok: false, latencyMs: null, error: errorMessage(err), version: null },
        queues: [],
        statsError: null,
      };
    }
    return reading;
  }
}
