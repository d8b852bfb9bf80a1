import {
  SOURCE_ACTIONS,
  emptyStateCounts,
  type AuditEntry,
  type JobDetail,
  type JobSummary,
  type QueueSummary,
  type SourceInfo,
  type StatusResponse,
} from '@jobscope/contract';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

export function makeJob(overrides: Partial<JobSummary> = {}): JobSummary {
  return {
    id: '1',
    queue: 'email',
    prefix: 'bull',
    source: 'bullmq',
    name: 'send-welcome',
    state: 'SUCCESS',
    nativeState: 'completed',
    createdAt: new Date(T0).toISOString(),
    createdAtMs: T0,
    startedAt: new Date(T0 + 1000).toISOString(),
    startedAtMs: T0 + 1000,
    finishedAt: new Date(T0 + 3500).toISOString(),
    finishedAtMs: T0 + 3500,
    dueAt: null,
    dueAtMs: null,
    durationMs: 2500,
    progress: 100,
    attemptsMade: 1,
    priority: null,
    worker: 'worker-a',
    result: '{"sent":true}',
    error: null,
    traceback: null,
    ...overrides,
  };
}

export function makeQueue(overrides: Partial<QueueSummary> = {}): QueueSummary {
  return {
    name: 'email',
    prefix: 'bull',
    source: 'bullmq',
    counts: { ...emptyStateCounts(), SUCCESS: 3, FAILURE: 1 },
    nativeCounts: {
      active: 0,
      wait: 0,
      paused: 0,
      prioritized: 0,
      delayed: 0,
      'waiting-children': 0,
      failed: 1,
      completed: 3,
    },
    paused: false,
    workers: 2,
    version: 'bullmq:5.66.0',
    ...overrides,
  };
}

/** Job 3 of the default status reply, failed with "boom"; also the job of the default detail. */
const FAILED_JOB: Partial<JobSummary> = {
  id: '3',
  state: 'FAILURE',
  nativeState: 'failed',
  result: null,
  error: 'boom',
  traceback: 'Error: boom\n    at work (worker.js:10:5)',
};

export function makeStatus(overrides: Partial<StatusResponse> = {}): StatusResponse {
  return {
    generatedAt: new Date(T0 + 5000).toISOString(),
    generatedAtMs: T0 + 5000,
    stale: false,
    ageMs: 10,
    limit: 100,
    filter: { queue: null, queues: [], state: null, name: null, fromMs: null, toMs: null },
    nextCursor: null,
    complete: true,
    jobs: [
      makeJob({
        id: '7',
        state: 'RUNNING',
        nativeState: 'active',
        finishedAt: null,
        finishedAtMs: null,
        progress: { pct: 40 },
        result: null,
      }),
      makeJob(FAILED_JOB),
      makeJob({ id: '1' }),
    ],
    queues: [
      makeQueue(),
      makeQueue({ name: 'reports', workers: 0, paused: true, counts: { ...emptyStateCounts(), PENDING: 5 } }),
    ],
    workers: { status: 'ok', reason: null, items: [] },
    redis: { ok: true, latencyMs: 1.25, error: null, version: '7.2.4' },
    service: { name: 'jobscope', version: '0.1.0' },
    ...overrides,
  };
}

export function makeDetail(overrides: Partial<JobDetail> = {}): JobDetail {
  return {
    ...makeJob(FAILED_JOB),
    data: { text: '{"to":"a@example.com","n":1}', truncated: false, bytes: 28 },
    returnValue: { text: null, truncated: false, bytes: 0 },
    failedReason: 'boom: the whole reason',
    stacktrace: ['Error: first\n    at one (worker.js:1:1)', 'Error: boom\n    at work (worker.js:10:5)'],
    opts: { attempts: 2 },
    attemptsStarted: 2,
    delayMs: null,
    deduplicationId: null,
    parent: null,
    children: { processed: 0, unprocessed: 0, failed: 0, ignored: 0, items: [] },
    logCount: 0,
    timeline: [
      { event: 'created', atMs: T0, detail: null },
      { event: 'attempt-failed', atMs: null, detail: 'Error: first' },
      { event: 'finished', atMs: T0 + 3500, detail: null },
    ],
    ...overrides,
  };
}

export function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: new Date(T0).toISOString(),
    action: 'job.retry',
    target: 'bullmq:bull:email:3',
    outcome: 'ok',
    status: 200,
    user: 'alice',
    role: 'Editor',
    detail: null,
    ...overrides,
  };
}

/** The status reply's `sources` as the service describes BullMQ (everything) and Celery (retry and cancel). */
export const BULLMQ_SOURCE: SourceInfo = { id: 'bullmq', label: 'BullMQ', supports: { enqueue: true, actions: [...SOURCE_ACTIONS] } };
export const CELERY_SOURCE: SourceInfo = { id: 'celery', label: 'Celery', supports: { enqueue: true, actions: ['retry', 'cancel'] } };
