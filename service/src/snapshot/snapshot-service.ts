import {
  stateRank,
  type JobSummary,
  type RedisStatus,
  type StatusQuery,
  type StatusResponse,
} from '@jobscope/contract';
import type { WorkersReport } from '../sources/source';
import type { SourceRegistry } from '../sources/registry';
import type { RedisProbe } from '../redis/probe';
import { redisErrorText } from '../redis/error-text';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';
import { SharedRead } from '../shared-read';

/** Raised when Redis cannot be read and there is no earlier snapshot to fall back on. */
export class SnapshotUnavailableError extends Error {}

type Outcome = { ok: true; value: StatusResponse } | { ok: false; error: string };

interface Entry {
  read: SharedRead<Outcome>;
  /** Served, marked stale, while Redis fails. */
  lastGood: StatusResponse | null;
}

const MAX_ENTRIES = 500;

export interface SnapshotServiceOptions {
  registry: SourceRegistry;
  probe: RedisProbe;
  ttlMs: number;
  /** Called with each successful build's duration, for metrics. */
  onBuilt?: (seconds: number) => void;
  now?: () => number;
}

/**
 * Builds status snapshots and shares them: concurrent requests share one in-flight build, and a result (or a failure)
 * is reused for `ttlMs`, so many dashboards polling every 2 s cost at most one Redis round trip per TTL and query.
 * When Redis fails, the last good snapshot is served marked stale.
 */
export class SnapshotService {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: SnapshotServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  async get(query: StatusQuery): Promise<StatusResponse> {
    if (query.queue !== undefined) {
      await this.requireKnownQueue(query.queue);
    }
    const key = `${query.limit}|${query.queue ?? ''}|${query.state ?? ''}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { read: new SharedRead<Outcome>(this.opts.ttlMs, this.now), lastGood: null };
      this.remember(key, entry);
    }
    const current = entry;
    const outcome = await current.read.get(() => this.build(query, current));
    return this.answer(outcome, current.lastGood);
  }

  /** An unknown queue is a 404, not a new cache entry and a Redis read per made-up name. */
  private requireKnownQueue(queue: string): Promise<void> {
    return this.opts.registry.requireQueueNamed(queue);
  }

  private answer(outcome: Outcome, lastGood: StatusResponse | null): StatusResponse {
    const now = this.now();
    if (outcome.ok) {
      return { ...outcome.value, ageMs: now - outcome.value.generatedAtMs };
    }
    if (!lastGood) {
      throw new SnapshotUnavailableError(outcome.error);
    }
    const redis: RedisStatus = { ...lastGood.redis, ok: false, latencyMs: null, error: outcome.error };
    return { ...lastGood, stale: true, ageMs: now - lastGood.generatedAtMs, redis };
  }

  private async build(query: StatusQuery, entry: Entry): Promise<Outcome> {
    const started = process.hrtime.bigint();
    try {
      const [redis, ...parts] = await Promise.all([
        this.opts.probe.ping(),
        ...this.opts.registry.sources.map((s) =>
          s.reads.snapshot({ limit: query.limit, queue: query.queue, state: query.state })
        ),
      ]);
      if (!redis.ok) {
        throw new Error(redisErrorText(redis.error ?? 'redis unavailable'));
      }
      const generatedAtMs = this.now();
      const value: StatusResponse = {
        generatedAt: new Date(generatedAtMs).toISOString(),
        generatedAtMs,
        stale: false,
        ageMs: 0,
        limit: query.limit,
        filter: { queue: query.queue ?? null, state: query.state ?? null },
        jobs: mergeSources(parts.map((p) => p.jobs), query.limit),
        queues: parts.flatMap((p) => p.queues),
        workers: mergeWorkers(parts.map((p) => p.workers)),
        redis,
        service: { name: SERVICE_NAME, version: SERVICE_VERSION },
      };
      entry.lastGood = value;
      this.opts.onBuilt?.(Number(process.hrtime.bigint() - started) / 1e9);
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: redisErrorText(err) };
    }
  }

  private remember(key: string, entry: Entry): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) {
        this.entries.delete(oldest);
      }
    }
    this.entries.set(key, entry);
  }
}

/** Within a state, the time users expect at the top (delayed: the soonest due). */
function sortTime(job: JobSummary): number {
  switch (job.state) {
    case 'RUNNING':
      return -(job.startedAtMs ?? 0);
    case 'DELAYED':
      return job.dueAtMs ?? 0;
    case 'FAILURE':
    case 'SUCCESS':
      return -(job.finishedAtMs ?? 0);
    default:
      return -(job.createdAtMs ?? 0);
  }
}

/**
 * Each source's list is already in display order (and its own order within a state, e.g. prioritized jobs in run
 * order, is kept): several are merged k-way, comparing only the heads by state, then by time, then source.
 */
export function mergeSources(lists: JobSummary[][], limit: number): JobSummary[] {
  if (lists.length === 1) {
    return lists[0].slice(0, limit);
  }
  const positions = lists.map(() => 0);
  const merged: JobSummary[] = [];
  while (merged.length < limit) {
    let best = -1;
    for (let s = 0; s < lists.length; s++) {
      const head = lists[s][positions[s]];
      if (head === undefined) {
        continue;
      }
      const current = best < 0 ? undefined : lists[best][positions[best]];
      if (
        current === undefined ||
        stateRank(head.state) - stateRank(current.state) < 0 ||
        (head.state === current.state && sortTime(head) < sortTime(current))
      ) {
        best = s;
      }
    }
    if (best < 0) {
      break;
    }
    merged.push(lists[best][positions[best]++]);
  }
  return merged;
}

function mergeWorkers(reports: WorkersReport[]): WorkersReport {
  const unknown = reports.find((r) => r.status === 'unknown');
  return {
    status: unknown ? 'unknown' : 'ok',
    reason: unknown?.reason ?? null,
    items: reports.flatMap((r) => r.items),
  };
}
