import type {
  EnqueueResponse,
  JobAction,
  QueueAction,
  JobDetail,
  JobRef,
  JobState,
  JobSummary,
  NativeCounts,
  ParsedEnqueueRequest,
  QueueSummary,
  StateCounts,
  UnreachableNode,
  WorkerInfo,
} from '@jobscope/contract';

/**
 * The seam between the HTTP layer and a job system. A source owns its own vocabulary (native state names, key rules)
 * and declares what it can do: `reads` is required, everything else is an optional capability. Routes never name a
 * source; they ask the SourceRegistry, which answers 404 for an unknown queue/job and 405 for a missing capability.
 */
export interface JobSource {
  /** Short id, e.g. `bullmq`; lands in every JobRef, JobSummary and QueueSummary of this source. */
  readonly id: string;
  /** Name the UI shows for it (e.g. `BullMQ`); the id when absent. */
  readonly label?: string;
  readonly reads: SourceReads;
  readonly enqueue?: SourceEnqueue;
  readonly actions?: SourceActions;
  /** Which of the actions this source supports (all when absent); the others answer 405 and the UI hides them. */
  readonly supports?: SourceSupports;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface SourceSupports {
  readonly jobActions: readonly JobAction[];
  readonly queueActions: readonly QueueAction[];
}

/** Optional capabilities, by the name a route asks for (errors say "source X cannot <capability>"). */
export type Capability = 'enqueue' | 'actions';

export interface SourceReads {
  /** Resolves once the first look for queues has finished (found or failed). */
  ready(): Promise<void>;
  /** Queues this source knows now (from discovery or configuration); from memory, so it answers while Redis is down. */
  listQueues(): QueueRef[];
  /** False while the queue list could not be read yet: then a name missing from it is not known to be unknown. */
  queuesKnown(): boolean;
  /** Counts, workers and the top `limit` jobs, already in display order. Unknown `queue` names list no jobs. */
  snapshot(request: SnapshotRequest): Promise<SourceSnapshot>;
  /** One job with its payload; null when the source has no such job. */
  job(ref: JobRef): Promise<JobDetail | null>;
  /** Per-queue numbers for health checks and /metrics, from O(1) reads per queue; read-only. */
  queueStats(request: QueueStatsRequest): Promise<QueueStatsReport>;
  /**
   * A string that changes whenever a job of these queues (all when absent) changes state or progress: cheap (O(1) per
   * queue) and read-only; lets live streams skip reading a snapshot when nothing moved. Optional.
   */
  changeMarker?(queues?: string[]): Promise<string>;
  /** A page of a job's log lines, oldest first; null when the job does not exist. Optional: not every source logs. */
  logs?(ref: JobRef, page: { offset: number; limit: number }): Promise<JobLogPage | null>;
  /** Finds jobs by id or by text; bounded by `request.window` per queue and state. Optional. */
  search?(request: SearchRequest): Promise<SearchResult>;
  /**
   * A gauge of this source's own per-state counts, when it has a well-known one (BullMQ: `bullmq_jobs`); its
   * `state` label values come from `stateLabel(native)`.
   */
  readonly nativeJobsMetric?: { name: string; help: string; stateLabel(native: string): string };
}

export interface JobLogPage {
  /** Lines of this page, each cut to JOB_LOG_LINE_MAX_BYTES. */
  lines: string[];
  offset: number;
  /** All lines the job has. */
  total: number;
}

export interface SearchRequest {
  /** An exact job id, or text matched case-insensitively in name, data, return value and error. */
  q: string;
  /** Queue names to search (all when empty). */
  queues: string[];
  state?: JobState;
  limit: number;
  /** Newest jobs per queue and state that text search reads. */
  window: number;
}

export interface SearchResult {
  jobs: JobSummary[];
  /** What was searched, so the UI can say "searched the newest 1,000 per queue". */
  searched: { jobs: number; window: number; complete: boolean };
}

export interface SourceEnqueue {
  /** Adds a job to a queue the registry resolved; throws InvalidRequestError for what the source cannot accept. */
  add(queue: QueueRef, request: ParsedEnqueueRequest): Promise<EnqueueResponse>;
}

/**
 * Changes to jobs and queues. State checks happen atomically inside the job system (BullMQ's scripts), so two users
 * acting at once get one success and a WrongStateError, never a half-changed job.
 */
export interface SourceActions {
  /** Failed or completed → waiting. */
  retry(ref: JobRef): Promise<void>;
  /** Removes a job that is not running (and its children, where the source has them). */
  remove(ref: JobRef): Promise<void>;
  /** Delayed → waiting now. */
  promote(ref: JobRef): Promise<void>;
  /** Asks the running job's worker to abort it; resolves with how many workers received the request. */
  cancel(ref: JobRef, reason: string): Promise<number>;
  pause(queue: QueueRef): Promise<void>;
  resume(queue: QueueRef): Promise<void>;
  /** Retries up to `limit` failed jobs; resolves with how many were retried. */
  retryFailed(queue: QueueRef, limit: number): Promise<number>;
  /** Removes up to `limit` finished jobs older than `olderThanMs`; resolves with how many were removed. */
  clean(queue: QueueRef, request: { state: 'SUCCESS' | 'FAILURE'; olderThanMs: number; limit: number }): Promise<number>;
  /** Whether the queue is paused now. */
  isPaused(queue: QueueRef): Promise<boolean>;
}

export interface QueueStatsRequest {
  /** "Recent" failures and completions are those finished after `now - windowMs`. */
  windowMs: number;
  now: number;
  /** Most running jobs per queue whose liveness is checked (bounds the cost of the stalled check). */
  maxLockChecks: number;
}

/** Source-neutral numbers per queue: what health and /metrics grade. */
export interface QueueStats extends QueueRef {
  counts: StateCounts;
  /** The source's own counts, by its own state names. */
  nativeCounts: NativeCounts;
  paused: boolean;
  /** Jobs ready to run now (not delayed, not waiting on children). */
  waiting: number;
  running: number;
  /** Connected workers, or "unknown" where the source cannot tell. */
  workers: number | 'unknown';
  /** Age of the oldest job waiting to run; 0 when none waits. */
  oldestWaitingAgeMs: number;
  recentFailures: number;
  recentCompletions: number;
  /** Running jobs whose worker is gone, among the `stalledChecked` checked; null where the source cannot tell. */
  stalled: number | null;
  stalledChecked: number;
}

export interface QueueStatsReport {
  queues: QueueStats[];
  workers: Omit<WorkersReport, 'items'>;
  /** Nodes that did not answer (a Cluster master failing over): their queues are missing from `queues`. */
  unreachable?: UnreachableNode[];
}

export interface QueueRef {
  source: string;
  prefix: string;
  name: string;
}

export interface SnapshotRequest {
  limit: number;
  /** Queue names to list jobs from (all when absent); every queue is still counted. */
  queues?: string[];
  state?: JobState;
  /** Exact job name. */
  name?: string;
  /** Finished jobs by finish time, others by creation time (ms, inclusive). */
  fromMs?: number;
  toMs?: number;
  /** Most jobs per queue and state a name or time filter reads. */
  window: number;
  /** Continue after this job of a previous page (single-state views). */
  after?: PageAnchor;
}

/** Where the previous page ended, as the source that listed that job described it (`SourceSnapshot.positions`). */
export interface PageAnchor {
  source: string;
  prefix: string;
  queue: string;
  id: string;
  /** The source's own ordering of the job (BullMQ: the display group and its score or sort field). */
  position: JobPosition;
}

export interface JobPosition {
  group: number;
  sortKey: string;
}

export interface WorkersReport {
  status: 'ok' | 'unknown';
  reason: string | null;
  items: WorkerInfo[];
}

export interface SourceSnapshot {
  jobs: JobSummary[];
  /** Each job's position in the source's order, parallel to `jobs`: what a page cursor anchors on. */
  positions?: JobPosition[];
  /** False when a filter stopped reading before it had seen every job in scope. */
  complete?: boolean;
  queues: QueueSummary[];
  workers: WorkersReport;
  /**
   * Nodes that did not answer while others did (a Cluster master failing over): their queues are in `queues` marked
   * `stale` with zero counts and have no jobs here; the snapshot service fills both in from its last good read.
   */
  unreachable?: UnreachableNode[];
}

/** What a source can throw; the app maps each to its HTTP answer once (app.ts onError), routes never inspect them. */
export class SourceError extends Error {}

/** The request is well-formed but this source cannot accept it (e.g. a priority above BullMQ's bound): 400. */
export class InvalidRequestError extends SourceError {
  constructor(
    message: string,
    readonly path: string
  ) {
    super(message);
  }
}

/** Redis (or the job system's store) could not be reached: 503. */
export class SourceUnavailableError extends SourceError {}

/** A write was sent but no answer came: it may or may not have happened: 504. */
export class OutcomeUnknownError extends SourceError {}

/** No such job (any more): 404. */
export class JobNotFoundError extends SourceError {
  constructor(readonly ref: JobRef) {
    super(`no job "${ref.id}" in queue "${ref.queue}" (prefix "${ref.prefix}")`);
  }
}

/** The job is not in a state the action applies to (or left it while acting): 409 naming its current state. */
export class WrongStateError extends SourceError {
  constructor(
    readonly state: string,
    message: string
  ) {
    super(message);
  }
}

/** The source has the capability but not this action (e.g. Celery cannot pause a queue): 405. */
export class ActionNotSupportedError extends SourceError {}

/** Nobody listens for the request (e.g. no worker accepts remote cancel): 409. */
export class NoListenerError extends SourceError {}
