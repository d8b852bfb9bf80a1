import {
  STATUS_FILTER_WINDOW,
  stateRank,
  type JobSummary,
  type QueueSummary,
  type RedisStatus,
  type UnreachableNode,
  type StatusQuery,
  type StatusResponse,
} from '@jobscope/contract';
import type { JobPosition, PageAnchor, WorkersReport } from '../sources/source';
import { decodeCursor, encodeCursor } from './page-cursor';
import type { SourceRegistry } from '../sources/registry';
import type { RedisProbe } from '../redis/probe';
import { redisErrorText } from '../redis/error-text';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';
import { SharedRead } from '../shared-read';
import { withTimeout } from '../health/with-timeout';

/** Raised when Redis cannot be read and there is no earlier snapshot to fall back on. */
export class SnapshotUnavailableError extends Error {}

/** A status body serialized once, split around its `ageMs` value: each answer only splices the current age in. */
interface SerializedSnapshot {
  head: string;
  tail: string;
  generatedAtMs: number;
}

type Outcome =
  | { ok: true; value: StatusResponse; json?: SerializedSnapshot }
  | { ok: false; error: string; stale?: { of: StatusResponse; json: SerializedSnapshot } };

const AGE_MARK = '"ageMs":0,';

function serialize(body: StatusResponse): SerializedSnapshot {
  // A fresh build already says ageMs 0: no copy of the body then.
  const text = JSON.stringify(body.ageMs === 0 ? body : { ...body, ageMs: 0 });
  // `ageMs` comes before any user-supplied text (filter, jobs), so the first match is the field itself.
  const at = text.indexOf(AGE_MARK);
  return { head: text.slice(0, at + AGE_MARK.length - 2), tail: text.slice(at + AGE_MARK.length - 1), generatedAtMs: body.generatedAtMs };
}

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
  /**
   * Longest wait for one snapshot build (JOBSCOPE_HEALTH_TIMEOUT_MS): a Redis that accepts connections but does not
   * answer yields the stale snapshot within it instead of after the 2 s command timeout. 0 or unset: no bound.
   */
  timeoutMs?: number;
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
    const { outcome, lastGood } = await this.outcomeOf(query);
    return this.answer(outcome, lastGood);
  }

  /**
   * The same answer as `get`, as JSON text: a cached snapshot is serialized once per build (and per outage), so a
   * cached answer costs a string splice instead of a copy and a JSON.stringify of the whole body.
   */
  async getJson(query: StatusQuery): Promise<string> {
    const { outcome, lastGood } = await this.outcomeOf(query);
    const now = this.now();
    if (outcome.ok) {
      const json = (outcome.json ??= serialize(outcome.value));
      return json.head + String(now - json.generatedAtMs) + json.tail;
    }
    if (!lastGood) {
      throw new SnapshotUnavailableError(outcome.error);
    }
    if (outcome.stale?.of !== lastGood) {
      outcome.stale = { of: lastGood, json: serialize(this.answer(outcome, lastGood)) };
    }
    const json = outcome.stale.json;
    return json.head + String(now - json.generatedAtMs) + json.tail;
  }

  private async outcomeOf(query: StatusQuery): Promise<{ outcome: Outcome; lastGood: StatusResponse | null }> {
    for (const queue of query.queue ?? []) {
      await this.requireKnownQueue(queue);
    }
    // Checked before any read: a bad or foreign cursor is a 400, never a cache entry.
    if (query.cursor !== undefined && query.state !== undefined) {
      decodeCursor({ ...query, state: query.state }, query.cursor);
    }
    const current = this.entryFor(query);
    const outcome = await current.read.get(() => this.build(query, current));
    return { outcome, lastGood: current.lastGood };
  }

  /** The cache entry of a view (made on first use). */
  private entryFor(query: StatusQuery): Entry {
    const key = JSON.stringify([query.limit, query.queue ?? [], query.state ?? '', query.name ?? '', query.from ?? '', query.to ?? '', query.cursor ?? '']);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { read: new SharedRead<Outcome>(this.opts.ttlMs, this.now), lastGood: null };
      this.remember(key, entry);
    }
    return entry;
  }

  /**
   * One uncached read (no cached outcome, no stale fallback), for the live stream's producers and exports walking many
   * pages: a page it cannot read is an error, never an old page. A first page shares the view's last good snapshot
   * (and updates it), so queues a Cluster node could not serve are filled in from it as on the status route.
   */
  async read(query: StatusQuery): Promise<StatusResponse> {
    for (const queue of query.queue ?? []) {
      await this.requireKnownQueue(queue);
    }
    const entry = query.cursor === undefined ? this.entryFor(query) : { read: new SharedRead<Outcome>(0, this.now), lastGood: null };
    const outcome = await this.build(query, entry);
    if (!outcome.ok) {
      throw new SnapshotUnavailableError(outcome.error);
    }
    return outcome.value;
  }

  /** After a write: every view reads Redis again on its next request (last good snapshots stay for outages). */
  invalidate(): void {
    for (const entry of this.entries.values()) {
      entry.read.invalidate();
    }
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
      const page = query.cursor !== undefined && query.state !== undefined ? decodeCursor({ ...query, state: query.state }, query.cursor) : null;
      const reading = Promise.all([
        this.opts.probe.ping(),
        ...this.opts.registry.sources.map((s) =>
          s.reads.snapshot({
            limit: query.limit,
            queues: query.queue,
            state: query.state,
            name: query.name,
            fromMs: query.from,
            toMs: query.to,
            window: STATUS_FILTER_WINDOW,
            after: page?.anchor,
          })
        ),
      ]);
      const timeoutMs = this.opts.timeoutMs ?? 0;
      const [redis, ...parts] = await (timeoutMs > 0 ? withTimeout(reading, timeoutMs, 'Redis status read') : reading);
      if (!redis.ok) {
        throw new Error(redisErrorText(redis.error ?? 'redis unavailable'));
      }
      const generatedAtMs = this.now();
      const unreachable = parts.flatMap((p) => p.unreachable ?? []);
      const value: StatusResponse = {
        generatedAt: new Date(generatedAtMs).toISOString(),
        generatedAtMs,
        stale: false,
        ageMs: 0,
        limit: query.limit,
        filter: {
          queue: query.queue?.join(',') ?? null,
          queues: query.queue ?? [],
          state: query.state ?? null,
          name: query.name ?? null,
          fromMs: query.from ?? null,
          toMs: query.to ?? null,
        },
        ...this.page(query, parts, page, entry.lastGood),
        queues: withLastGoodCounts(parts.flatMap((p) => p.queues), entry.lastGood),
        workers: mergeWorkers(parts.map((p) => p.workers)),
        redis,
        ...(unreachable.length ? { unreachable } : {}),
        service: { name: SERVICE_NAME, version: SERVICE_VERSION },
        sources: this.opts.registry.describe(),
      };
      entry.lastGood = value;
      this.opts.onBuilt?.(Number(process.hrtime.bigint() - started) / 1e9);
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: redisErrorText(err) };
    }
  }

  /**
   * The merged page and the cursor of the next one. Sources other than the anchor's do not know its position, so
   * their jobs are kept only when they sort after the anchor's time.
   */
  private page(
    query: StatusQuery,
    parts: Array<{ jobs: JobSummary[]; positions?: JobPosition[]; complete?: boolean; unreachable?: UnreachableNode[] }>,
    page: { anchor: PageAnchor; time: number } | null,
    lastGood: StatusResponse | null
  ): Pick<StatusResponse, 'jobs' | 'nextCursor' | 'complete'> {
    type Listed = { job: JobSummary; position?: JobPosition };
    const lists = this.opts.registry.sources.map((source, i): Listed[] => {
      const jobs: Listed[] = parts[i].jobs.map((job, k) => ({ job, position: parts[i].positions?.[k] }));
      if (!page && parts[i].unreachable?.length && lastGood) {
        // Queues on a node that did not answer keep the jobs the last good read listed for them (their summaries say
        // stale). They have no position in this read: a page cursor never anchors on them.
        const stale = new Set(parts[i].unreachable!.flatMap((u) => u.queues));
        const kept = lastGood.jobs.filter((job) => job.source === source.id && stale.has(`${job.prefix}:${job.queue}`));
        return mergeSources<Listed>([jobs, kept.map((job) => ({ job }))], query.limit, (j) => j.job);
      }
      return page && source.id !== page.anchor.source ? jobs.filter((j) => sortTime(j.job) > page.time) : jobs;
    });
    const merged = mergeSources(lists, query.limit, (j) => j.job);
    const last = merged[merged.length - 1];
    const nextCursor =
      query.state !== undefined && merged.length === query.limit && last?.position
        ? encodeCursor(query, { ...jobAddress(last.job), position: last.position }, sortTime(last.job))
        : null;
    return { jobs: merged.map((j) => j.job), nextCursor, complete: parts.every((p) => p.complete !== false) };
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
export function mergeSources<T = JobSummary>(
  lists: T[][],
  limit: number,
  jobOf: (item: T) => JobSummary = (item) => item as unknown as JobSummary
): T[] {
  if (lists.length === 1) {
    return lists[0].slice(0, limit);
  }
  const positions = lists.map(() => 0);
  const merged: T[] = [];
  while (merged.length < limit) {
    let best = -1;
    for (let s = 0; s < lists.length; s++) {
      const headItem = lists[s][positions[s]];
      if (headItem === undefined) {
        continue;
      }
      const head = jobOf(headItem);
      const current = best < 0 ? undefined : jobOf(lists[best][positions[best]]);
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

function jobAddress(job: JobSummary): Omit<PageAnchor, 'position'> {
  return { source: job.source, prefix: job.prefix, queue: job.queue, id: job.id };
}

/** Queues marked stale by their source take counts, paused and workers from the last good read, when it had them. */
function withLastGoodCounts(queues: QueueSummary[], lastGood: StatusResponse | null): QueueSummary[] {
  if (!lastGood || !queues.some((q) => q.stale)) {
    return queues;
  }
  const before = new Map(lastGood.queues.map((q) => [`${q.source}\u0000${q.prefix}\u0000${q.name}`, q]));
  return queues.map((q) => {
    const last = q.stale ? before.get(`${q.source}\u0000${q.prefix}\u0000${q.name}`) : undefined;
    return last ? { ...q, counts: last.counts, nativeCounts: last.nativeCounts, paused: last.paused, workers: last.workers } : q;
  });
}

function mergeWorkers(reports: WorkersReport[]): WorkersReport {
  const unknown = reports.find((r) => r.status === 'unknown');
  return {
    status: unknown ? 'unknown' : 'ok',
    reason: unknown?.reason ?? null,
    items: reports.flatMap((r) => r.items),
  };
}
