import Redis, { type RedisOptions } from 'ioredis';
import {
  stateRank,
  type JobDetail,
  type JobRef,
  type JobSummary,
  type QueueSummary,
  type WorkerInfo,
} from '@jobscope/contract';
import type { CeleryConfig } from '../../config';
import type { Logger } from '../../logger';
import { createRedisClient } from '../../redis/connection';
import {
  type JobPosition,
  type JobSource,
  type QueueRef,
  type QueueStatsReport,
  type QueueStatsRequest,
  type SearchRequest,
  type SearchResult,
  type SnapshotRequest,
  type SourceReads,
  type SourceSnapshot,
  type SourceSupports,
  type WorkersReport,
} from '../source';
import { CeleryKeys } from './keys';
import { findQueuedMessage, readBacklogs, readBoundQueues, type QueueBacklog } from './broker-queues';
import { CELERY_NATIVE_STATES, CELERY_READY_STATES, STATE_OF_CELERY, emptyNativeCounts, stateCountsOf, type CeleryNativeState } from './native-states';
import { ResultIndex, type IndexedResult } from './result-index';
import { ResultFeed, parseMeta, type CeleryMeta } from './result-feed';
import { LiveView, type CeleryWorker, type LiveTask } from './live-view';
import { RemoteControl } from './remote-control';
import type { TaskMessage } from './protocol';
import { toCeleryDetail, toCelerySummary, type CeleryTaskView } from './celery-summary';
import { CeleryActions, CeleryEnqueue } from './celery-actions';

/** The Celery settings (JOBSCOPE_CELERY_*) plus what the service wires in. */
export interface CelerySourceOptions extends CeleryConfig {
  discoveryIntervalMs: number;
  tlsCa?: string | null;
  logger: Logger;
  /** Source id (several Celery apps = several sources). */
  id?: string;
}

/** Celery's default queue (`task_default_queue`): where tasks go whose queue nothing names. */
const DEFAULT_QUEUE = 'celery';
/** Tasks a read looks at beyond `limit`, and the window a job lookup reads in the broker lists. */
const QUEUED_LOOKUP_WINDOW = 1000;
const INSPECT_TIMEOUT_MS = 1000;
/** Polls keep going this long after the last look (two intervals of a Jobs tab refresh and then some). */
const WATCH_MS = 30_000;

/** Display order within each user state, as the snapshot service merges sources. */
function sortTime(j: JobSummary): number {
  switch (j.state) {
    case 'RUNNING':
      return -(j.startedAtMs ?? 0);
    case 'DELAYED':
      return j.dueAtMs ?? Number.MAX_SAFE_INTEGER;
    case 'FAILURE':
    case 'SUCCESS':
      return -(j.finishedAtMs ?? 0);
    default:
      return 0;
  }
}

/** Where a job sorts: state, then time, then id (broker messages keep their list order: they carry no time). */
function compareJobs(a: JobSummary, b: JobSummary): number {
  return stateRank(a.state) - stateRank(b.state) || sortTime(a) - sortTime(b) || (a.state === 'PENDING' ? 0 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function positionOf(j: JobSummary): JobPosition {
  return { group: stateRank(j.state), sortKey: `${String(sortTime(j) + 9e15).padStart(17, '0')}:${j.id}`.slice(0, 64) };
}

/** A message in the broker list waits to run, or for its ETA. */
function nativeOfMessage(m: TaskMessage, now: number): CeleryNativeState {
  const due = m.eta ? Date.parse(m.eta) : null;
  return due !== null && due > now ? 'SCHEDULED' : 'PENDING';
}

/** The finish time and id a finished task's position names (see positionOf). */
function anchorEntry(p: JobPosition): { ms: number; id: string } {
  const cut = p.sortKey.indexOf(':');
  return { ms: -(Number(p.sortKey.slice(0, cut)) - 9e15), id: p.sortKey.slice(cut + 1) };
}

/** Whether `p` sorts after the page anchor `anchor` (same rule as compareJobs). */
function isAfter(p: JobPosition, anchor: JobPosition): boolean {
  return p.group > anchor.group || (p.group === anchor.group && p.sortKey > anchor.sortKey);
}

/**
 * Celery (≥ 5, Redis broker and result backend) read from Redis and Celery's wire protocol, no Python: pending
 * tasks from kombu's broker lists, running/reserved/scheduled from task events and/or remote-control inspect,
 * finished ones from an in-memory index of the result backend (Celery keeps none) plus one MGET of the rows shown.
 * No SCAN on a request path: the only SCAN is the index's background bootstrap.
 */
export class CelerySource implements JobSource {
  readonly id: string;
  readonly label: string;
  readonly reads: SourceReads;
  readonly enqueue: CeleryEnqueue;
  readonly actions: CeleryActions;
  readonly supports: SourceSupports = { jobActions: ['retry', 'cancel'], queueActions: [] };
  readonly keys: CeleryKeys;
  readonly prefix: string;
  readonly broker: Redis;
  readonly results: Redis;
  readonly index: ResultIndex;
  readonly feed: ResultFeed;
  readonly live: LiveView;
  private readonly connections: Redis[] = [];
  private boundQueues: string[] = [];
  private queuesRead = false;
  private discoveryTimer: NodeJS.Timeout | null = null;
  private firstDiscovery: Promise<void> | null = null;
  /** Per queue: the next message's id and when jobscope first saw it there (a lower bound of its wait). */
  private readonly heads = new Map<string, { id: string; sinceMs: number }>();

  constructor(private readonly opts: CelerySourceOptions) {
    this.id = opts.id ?? 'celery';
    this.label = this.id === 'celery' ? 'Celery' : `Celery (${this.id})`;
    const db = Number(new URL(opts.brokerUrl).pathname.slice(1) || 0);
    this.keys = new CeleryKeys({ keyPrefix: opts.keyPrefix, db, mailbox: opts.mailbox, exchange: 'celery' });
    this.prefix = opts.keyPrefix || `db${db}`;
    const client = (url: string) => this.track(createRedisClient(url, opts.logger, { tlsCa: opts.tlsCa }));
    // Subscribers queue their (P)SUBSCRIBE until connected and re-subscribe after every reconnect.
    const subscriber = (url: string) => {
      const extra: RedisOptions = url.startsWith('rediss://') && opts.tlsCa ? { tls: { ca: opts.tlsCa } } : {};
      const sub = this.track(new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000), ...extra }));
      sub.on('error', () => undefined);
      return sub;
    };
    this.broker = client(opts.brokerUrl);
    this.results = opts.resultUrl && opts.resultUrl !== opts.brokerUrl ? client(opts.resultUrl) : this.broker;
    const blocking = client(opts.brokerUrl);
    const control = new RemoteControl(this.broker, blocking, this.keys);
    this.index = new ResultIndex(opts.indexMax);
    const brokerSub = subscriber(opts.brokerUrl);
    this.live = new LiveView(this.broker, brokerSub, this.keys, opts.inspect ? control : null, {
      inspect: opts.inspect,
      intervalMs: opts.inspectIntervalMs,
      watchMs: WATCH_MS,
      timeoutMs: INSPECT_TIMEOUT_MS,
      logger: opts.logger,
    });
    this.feed = new ResultFeed(this.results, opts.resultUrl && opts.resultUrl !== opts.brokerUrl ? subscriber(opts.resultUrl) : brokerSub, this.index, {
      defaultQueue: DEFAULT_QUEUE,
      batch: 1000,
      pauseMs: 2,
      logger: opts.logger,
      onFinished: (id) => this.live.markFinished(id),
    });
    this.enqueue = new CeleryEnqueue(this);
    this.actions = new CeleryActions(this, control);
    this.reads = {
      ready: () => this.firstDiscovery ?? Promise.resolve(),
      listQueues: () => this.queueNames().map((name) => this.queueRef(name)),
      queuesKnown: () => this.queuesRead,
      snapshot: (r) => this.snapshot(r),
      job: (ref) => this.job(ref),
      queueStats: (r) => this.queueStats(r),
      search: (r) => this.search(r),
    };
  }

  private track<T extends Redis>(c: T): T {
    this.connections.push(c);
    return c;
  }

  async start(): Promise<void> {
    this.firstDiscovery = this.discover();
    await Promise.all([this.feed.start(), this.live.start()]);
    if (this.opts.discoveryIntervalMs > 0 && !this.opts.queues) {
      this.discoveryTimer = setInterval(() => void this.discover(), this.opts.discoveryIntervalMs);
      this.discoveryTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.discoveryTimer) {
      clearInterval(this.discoveryTimer);
    }
    this.feed.close();
    this.live.close();
    await Promise.allSettled(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  queueRef(name: string): QueueRef {
    return { source: this.id, prefix: this.prefix, name };
  }

  /** Configured queues, else those bound in kombu, plus any queue a stored result names. */
  queueNames(): string[] {
    const names = new Set(this.opts.queues ?? [DEFAULT_QUEUE, ...this.boundQueues]);
    if (!this.opts.queues) {
      for (const q of this.index.queues()) {
        names.add(q);
      }
    }
    return [...names].sort();
  }

  private async discover(): Promise<void> {
    if (this.opts.queues) {
      this.queuesRead = true;
      return;
    }
    try {
      this.boundQueues = await readBoundQueues(this.broker, this.keys);
      this.queuesRead = true;
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, 'celery: queue bindings not read');
    }
  }

  private noteHeads(backlogs: QueueBacklog[], now: number): void {
    for (const b of backlogs) {
      const known = this.heads.get(b.queue);
      if (!b.headId) {
        this.heads.delete(b.queue);
      } else if (known?.id !== b.headId) {
        this.heads.set(b.queue, { id: b.headId, sinceMs: now });
      }
    }
  }

  private workersReport(queues: string[], workers: CeleryWorker[]): WorkersReport {
    if (!this.live.knowsWorkers()) {
      return {
        status: 'unknown',
        reason: 'no Celery worker events (-E) and no inspect answer yet',
        items: [],
      };
    }
    const items: WorkerInfo[] = [];
    for (const w of workers) {
      for (const queue of queues) {
        items.push({ queue, prefix: this.prefix, name: w.hostname, addr: null, ageSeconds: null, idleSeconds: Math.round((Date.now() - w.lastSeenMs) / 1000) });
      }
    }
    return { status: 'ok', reason: null, items };
  }

  /** Everything we know per task id: live first, then the broker lists, then the result index. */
  private async collect(
    request: Pick<SnapshotRequest, 'limit' | 'queues' | 'state' | 'name' | 'fromMs' | 'toMs' | 'window' | 'after'>,
    queues: string[],
    backlogs: QueueBacklog[],
    liveTasks: ReadonlyMap<string, LiveTask>
  ): Promise<{ views: CeleryTaskView[]; complete: boolean }> {
    const now = Date.now();
    const wanted = new Set(queues);
    const byId = new Map<string, CeleryTaskView>();
    const stateOk = (native: CeleryNativeState) => !request.state || STATE_OF_CELERY[native] === request.state;
    const nameOk = (name: string | null) => request.name === undefined || name === request.name;
    const inRange = (ms: number | null) =>
      (request.fromMs === undefined || (ms !== null && ms >= request.fromMs)) && (request.toMs === undefined || (ms !== null && ms <= request.toMs));
    for (const t of liveTasks.values()) {
      const queue = this.queueOfLive(t);
      if (wanted.has(queue) && stateOk(t.native) && nameOk(t.name) && inRange(t.startedMs ?? t.seenMs)) {
        byId.set(t.id, { id: t.id, queue, native: t.native, live: t });
      }
    }
    for (const b of backlogs) {
      for (const m of b.next) {
        const native = nativeOfMessage(m, now);
        if (!byId.has(m.id) && !liveTasks.has(m.id) && stateOk(native) && nameOk(m.task) && request.fromMs === undefined && request.toMs === undefined) {
          byId.set(m.id, { id: m.id, queue: b.queue, native, message: m });
        }
      }
    }
    let complete = true;
    const fromIndex: IndexedResult[] = [];
    const anchor = request.after?.source === this.id ? request.after.position : null;
    for (const native of CELERY_NATIVE_STATES) {
      if (native === 'ACTIVE' || native === 'RESERVED' || native === 'SCHEDULED' || native === 'PENDING' || !stateOk(native)) {
        continue;
      }
      const group = stateRank(STATE_OF_CELERY[native]);
      if (anchor && anchor.group > group) {
        continue;
      }
      // Finished tasks sort by finish time (the index's time): a page continues right below its anchor.
      const before = anchor && anchor.group === group && CELERY_READY_STATES.has(native) ? anchorEntry(anchor) : undefined;
      const found = this.index.newest(native, request.limit + byId.size, request.window, (e) => {
        const live = liveTasks.get(e.id);
        // STARTED/RETRY in the backend but a worker reports it: the worker's word is newer.
        return wanted.has(e.queue) && nameOk(e.name) && inRange(e.ms) && !byId.has(e.id) && !(live && (native === 'STARTED' || native === 'RETRY'));
      }, before);
      complete &&= found.complete;
      fromIndex.push(...found.items);
    }
    for (const e of fromIndex) {
      byId.set(e.id, { id: e.id, queue: e.queue, native: e.native, indexMs: e.ms });
    }
    return { views: [...byId.values()], complete };
  }

  /** Adds the stored result to each view (one MGET); drops index entries whose result has expired. */
  private async attachMeta(views: CeleryTaskView[]): Promise<CeleryTaskView[]> {
    if (views.length === 0) {
      return views;
    }
    const raw = await this.results.mget(...views.map((v) => CeleryKeys.meta(v.id)));
    const out: CeleryTaskView[] = [];
    views.forEach((v, k) => {
      const meta = parseMeta(raw[k]);
      if (meta) {
        v.meta = meta;
      } else if (v.indexMs !== undefined) {
        this.index.delete(v.id); // expired (result_expires) or deleted
        return;
      }
      out.push(v);
    });
    return out;
  }

  private ordered(views: CeleryTaskView[], now: number): Array<{ job: JobSummary; view: CeleryTaskView }> {
    return views
      .map((view) => ({ view, job: toCelerySummary(view, this.id, this.prefix, now) }))
      .sort((a, b) => compareJobs(a.job, b.job));
  }

  private async snapshot(request: SnapshotRequest): Promise<SourceSnapshot> {
    await this.live.watch();
    const all = this.queueNames();
    const listed = request.queues ? all.filter((q) => request.queues!.includes(q)) : all;
    const now = Date.now();
    const needQueued = !request.state || request.state === 'PENDING' || request.state === 'DELAYED';
    const backlogs = await readBacklogs(this.broker, this.keys, all, needQueued ? request.limit : 0);
    this.noteHeads(backlogs, now);
    const liveTasks = this.live.tasks(now);
    const workers = this.live.liveWorkers(now);
    const { views, complete } = await this.collect(request, listed, backlogs.filter((b) => listed.includes(b.queue)), liveTasks);
    let ordered = this.ordered(views, now);
    if (request.after && request.after.source === this.id) {
      const anchor = request.after.position;
      ordered = ordered.filter((o) => isAfter(positionOf(o.job), anchor));
    }
    const top = ordered.slice(0, request.limit);
    const withMeta = await this.attachMeta(top.map((o) => o.view));
    const jobs = this.ordered(withMeta, now).map((o) => o.job);
    return {
      jobs,
      positions: jobs.map(positionOf),
      complete,
      queues: all.map((name, i) => this.queueSummary(name, backlogs[i], liveTasks, workers)),
      workers: this.workersReport(all, workers),
    };
  }

  /** The queue of a task a worker holds: inspect says, events do not (the stored result may). */
  private queueOfLive(t: LiveTask): string {
    return t.queue ?? this.index.get(t.id)?.queue ?? DEFAULT_QUEUE;
  }

  private nativeCounts(queue: string, backlog: QueueBacklog, liveTasks: ReadonlyMap<string, LiveTask>): Record<CeleryNativeState, number> {
    const counts = emptyNativeCounts();
    for (const [native, n] of this.index.countsOf(queue)) {
      counts[native] += n;
    }
    counts.PENDING += backlog.length;
    for (const t of liveTasks.values()) {
      if (this.queueOfLive(t) !== queue) {
        continue;
      }
      counts[t.native] += 1;
      // The backend's STARTED/RETRY entry of a task a worker holds is the same task.
      const indexed = this.index.get(t.id);
      if (indexed && (indexed.native === 'STARTED' || indexed.native === 'RETRY') && indexed.queue === queue) {
        counts[indexed.native] -= 1;
      }
    }
    return counts;
  }

  private queueSummary(name: string, backlog: QueueBacklog, liveTasks: ReadonlyMap<string, LiveTask>, workers: CeleryWorker[]): QueueSummary {
    const nativeCounts = this.nativeCounts(name, backlog, liveTasks);
    return {
      name,
      prefix: this.prefix,
      source: this.id,
      counts: stateCountsOf(nativeCounts),
      nativeCounts,
      paused: false,
      workers: this.live.knowsWorkers() ? workers.length : 'unknown',
      version: workers[0]?.swVersion ?? null,
    };
  }

  /**
   * One task by id, read once: a worker's view, else the stored result, else the broker lists of `brokerQueues`
   * (a bounded window each). A task a worker holds without a known queue is taken to be in `fallbackQueue`.
   */
  private async locate(id: string, brokerQueues: string[], fallbackQueue: string): Promise<CeleryTaskView | null> {
    const now = Date.now();
    const live = this.live.tasks(now).get(id);
    const meta = parseMeta(await this.results.get(CeleryKeys.meta(id)));
    const indexed = this.index.get(id);
    if (live && (!meta || !CELERY_READY_STATES.has(meta.status))) {
      const queue = live.queue ?? meta?.queue ?? indexed?.queue ?? fallbackQueue;
      return { id, queue, native: live.native, live, meta: meta ?? undefined };
    }
    if (meta) {
      const entry = this.feed.toEntry(id, meta, indexed?.ms ?? now);
      return { id, queue: entry.queue, native: entry.native, meta, indexMs: indexed?.ms ?? entry.ms };
    }
    for (const queue of brokerQueues) {
      const message = await findQueuedMessage(this.broker, this.keys, queue, id, QUEUED_LOOKUP_WINDOW);
      if (message) {
        return { id, queue, native: nativeOfMessage(message, now), message };
      }
    }
    return null;
  }

  /** One task by its address; null when it is not there (or lives in another queue). */
  async view(ref: JobRef): Promise<CeleryTaskView | null> {
    if (ref.source !== this.id || ref.prefix !== this.prefix) {
      return null;
    }
    const view = await this.locate(ref.id, [ref.queue], ref.queue);
    return view && view.queue === ref.queue ? view : null;
  }

  private async job(ref: JobRef): Promise<JobDetail | null> {
    const view = await this.view(ref);
    return view ? toCeleryDetail(view, this.id, this.prefix, Date.now()) : null;
  }

  private async queueStats(request: QueueStatsRequest): Promise<QueueStatsReport> {
    await this.live.watch();
    const all = this.queueNames();
    const backlogs = await readBacklogs(this.broker, this.keys, all, 0);
    this.noteHeads(backlogs, request.now);
    const knowsWorkers = this.live.knowsWorkers();
    const liveTasks = this.live.tasks(request.now);
    const workers = this.live.liveWorkers(request.now);
    const queues = all.map((name, i) => {
      const nativeCounts = this.nativeCounts(name, backlogs[i], liveTasks);
      const started = this.index.newest('STARTED', request.maxLockChecks, request.maxLockChecks, (e) => e.queue === name).items;
      const head = this.heads.get(name);
      return {
        ...this.queueRef(name),
        counts: stateCountsOf(nativeCounts),
        nativeCounts,
        paused: false,
        waiting: nativeCounts.PENDING + nativeCounts.RESERVED,
        running: nativeCounts.ACTIVE + nativeCounts.STARTED,
        workers: knowsWorkers ? workers.length : ('unknown' as const),
        oldestWaitingAgeMs: head ? request.now - head.sinceMs : 0,
        recentFailures: this.index.countSince('FAILURE', name, request.now - request.windowMs),
        recentCompletions: this.index.countSince('SUCCESS', name, request.now - request.windowMs),
        // STARTED in the backend while no live worker holds it: the worker died (or was cold-stopped) mid-task.
        stalled: knowsWorkers ? started.filter((e) => !liveTasks.has(e.id)).length : null,
        stalledChecked: started.length,
      };
    });
    const { items: _items, ...report } = this.workersReport(all, workers);
    return { queues, workers: report };
  }

  private async search(request: SearchRequest): Promise<SearchResult> {
    const now = Date.now();
    const queues = request.queues.length > 0 ? request.queues : this.queueNames();
    const q = request.q.trim();
    const exact = await this.locate(q, queues, queues[0] ?? DEFAULT_QUEUE);
    const found: CeleryTaskView[] = exact && queues.includes(exact.queue) ? [exact] : [];
    let read = 0;
    let complete = true;
    if (found.length === 0) {
      const needle = q.toLowerCase();
      const wanted = new Set(queues);
      const stateOk = (native: CeleryNativeState) => !request.state || STATE_OF_CELERY[native] === request.state;
      for (const t of this.live.tasks(now).values()) {
        const queue = this.queueOfLive(t);
        if (wanted.has(queue) && stateOk(t.native) && `${t.name ?? ''} ${t.args ?? ''} ${t.kwargs ?? ''}`.toLowerCase().includes(needle)) {
          found.push({ id: t.id, queue, native: t.native, live: t });
        }
      }
      const seen = new Set(found.map((f) => f.id));
      for (const native of CELERY_NATIVE_STATES) {
        if (!stateOk(native) || found.length >= request.limit) {
          continue;
        }
        const r = this.index.newest(native, request.limit - found.length, request.window, (e) => {
          read += 1;
          return wanted.has(e.queue) && (e.name ?? '').toLowerCase().includes(needle) && !seen.has(e.id);
        });
        complete &&= r.complete;
        for (const e of r.items) {
          seen.add(e.id);
          found.push({ id: e.id, queue: e.queue, native: e.native, indexMs: e.ms });
        }
      }
    }
    const withMeta = await this.attachMeta(found.slice(0, request.limit));
    return {
      jobs: this.ordered(withMeta, now).map((o) => o.job),
      searched: { jobs: read + found.length, window: request.window, complete },
    };
  }

  /** A stored result (for actions), read fresh. */
  async readMeta(id: string): Promise<{ raw: string; meta: CeleryMeta } | null> {
    const raw = await this.results.get(CeleryKeys.meta(id));
    const meta = parseMeta(raw);
    return raw !== null && meta ? { raw, meta } : null;
  }
}
