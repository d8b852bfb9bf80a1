import {
  foldStateCounts,
  sameJob,
  stateRank,
  type JobDetail,
  type JobRef,
  type JobState,
  type JobSummary,
  type NativeCounts,
} from '@jobscope/contract';
import type {
  JobSource,
  QueueRef,
  QueueStatsReport,
  QueueStatsRequest,
  SnapshotRequest,
  SourceReads,
  SourceSnapshot,
} from '../../src/sources/source';

/**
 * A second job system that lives only in the tests: its own native state names, no Redis, no enqueue. Plugged into
 * the real app it proves the routes, health, metrics and the plugin name no source: nothing outside this file and
 * the wiring knows it exists.
 */
const STATE_OF_MEMORY = {
  working: 'RUNNING',
  queued: 'PENDING',
  later: 'DELAYED',
  broken: 'FAILURE',
  done: 'SUCCESS',
} as const satisfies Record<string, JobState>;
export type MemoryNativeState = keyof typeof STATE_OF_MEMORY;

export interface MemoryJob {
  id: string;
  queue: string;
  name: string;
  native: MemoryNativeState;
  createdAtMs: number;
  data?: unknown;
  error?: string;
}

export class MemorySource implements JobSource {
  readonly reads: SourceReads;
  readonly jobs: MemoryJob[] = [];

  constructor(
    readonly id = 'memory',
    readonly prefix = 'mem',
    readonly queues: string[] = ['inbox']
  ) {
    this.reads = {
      ready: async () => undefined,
      listQueues: () => this.queueRefs(),
      queuesKnown: () => true,
      snapshot: (r) => Promise.resolve(this.snapshot(r)),
      job: (ref) => Promise.resolve(this.job(ref)),
      queueStats: (r) => Promise.resolve(this.stats(r)),
    };
  }

  async start(): Promise<void> {}
  async close(): Promise<void> {}

  add(job: Omit<MemoryJob, 'createdAtMs'> & { createdAtMs?: number }): JobRef {
    this.jobs.push({ createdAtMs: Date.now(), ...job });
    return { source: this.id, prefix: this.prefix, queue: job.queue, id: job.id };
  }

  private queueRefs(): QueueRef[] {
    return this.queues.map((name) => ({ source: this.id, prefix: this.prefix, name }));
  }

  private nativeCounts(queue: string): NativeCounts {
    const counts: NativeCounts = Object.fromEntries(Object.keys(STATE_OF_MEMORY).map((n) => [n, 0]));
    for (const j of this.jobs.filter((j) => j.queue === queue)) {
      counts[j.native] += 1;
    }
    return counts;
  }

  private summary(j: MemoryJob): JobSummary {
    const state = STATE_OF_MEMORY[j.native];
    const iso = new Date(j.createdAtMs).toISOString();
    return {
      id: j.id,
      queue: j.queue,
      prefix: this.prefix,
      source: this.id,
      name: j.name,
      state,
      nativeState: j.native,
      createdAt: iso,
      createdAtMs: j.createdAtMs,
      startedAt: null,
      startedAtMs: null,
      finishedAt: state === 'FAILURE' || state === 'SUCCESS' ? iso : null,
      finishedAtMs: state === 'FAILURE' || state === 'SUCCESS' ? j.createdAtMs : null,
      dueAt: null,
      dueAtMs: null,
      durationMs: null,
      progress: null,
      attemptsMade: 0,
      priority: null,
      worker: null,
      result: null,
      error: j.error ?? null,
      traceback: null,
    };
  }

  private snapshot(r: SnapshotRequest): SourceSnapshot {
    const jobs = this.jobs
      .filter((j) => (r.queues === undefined || r.queues.includes(j.queue)) && (!r.state || STATE_OF_MEMORY[j.native] === r.state))
      .map((j) => this.summary(j))
      .sort((a, b) => stateRank(a.state) - stateRank(b.state) || (b.createdAtMs ?? 0) - (a.createdAtMs ?? 0))
      .slice(0, r.limit);
    const queues = this.queues.map((name) => {
      const nativeCounts = this.nativeCounts(name);
      return {
        name,
        prefix: this.prefix,
        source: this.id,
        counts: foldStateCounts(nativeCounts, (n) => STATE_OF_MEMORY[n as MemoryNativeState]),
        nativeCounts,
        paused: false,
        workers: 1,
        version: null,
      };
    });
    return { jobs, queues, workers: { status: 'ok', reason: null, items: [] } };
  }

  private job(ref: JobRef): JobDetail | null {
    const found = this.jobs.find((j) => sameJob(ref, { source: this.id, prefix: this.prefix, queue: j.queue, id: j.id }));
    if (!found) {
      return null;
    }
    const data = JSON.stringify(found.data ?? {});
    return {
      ...this.summary(found),
      data: { text: data, truncated: false, bytes: Buffer.byteLength(data) },
      returnValue: { text: null, truncated: false, bytes: 0 },
      failedReason: found.error ?? null,
      stacktrace: [],
      opts: {},
      attemptsStarted: 0,
      delayMs: null,
      deduplicationId: null,
      parent: null,
      children: { processed: 0, unprocessed: 0, failed: 0, ignored: 0, items: [] },
      logCount: 0,
      timeline: [{ event: 'created', atMs: found.createdAtMs, detail: null }],
    };
  }

  private stats(r: QueueStatsRequest): QueueStatsReport {
    return {
      queues: this.queues.map((name) => {
        const nativeCounts = this.nativeCounts(name);
        const queued = this.jobs.filter((j) => j.queue === name && j.native === 'queued');
        const oldest = Math.min(...queued.map((j) => j.createdAtMs));
        return {
          source: this.id,
          prefix: this.prefix,
          name,
          counts: foldStateCounts(nativeCounts, (n) => STATE_OF_MEMORY[n as MemoryNativeState]),
          nativeCounts,
          paused: false,
          waiting: nativeCounts.queued,
          running: nativeCounts.working,
          workers: 1,
          oldestWaitingAgeMs: queued.length ? Math.max(0, r.now - oldest) : 0,
          recentFailures: this.jobs.filter((j) => j.queue === name && j.native === 'broken').length,
          recentCompletions: this.jobs.filter((j) => j.queue === name && j.native === 'done').length,
          stalled: null,
          stalledChecked: 0,
        };
      }),
      workers: { status: 'ok', reason: null },
    };
  }
}
