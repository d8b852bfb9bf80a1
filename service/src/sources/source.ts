import type {
  EnqueueResponse,
  JobState,
  JobSummary,
  NativeCounts,
  ParsedEnqueueRequest,
  QueueSummary,
  WorkerInfo,
} from '@jobscope/contract';

/**
 * The seam between the HTTP layer and a job system. BullMQ is the first source; another (e.g. Celery on Redis) is
 * added by implementing this interface and passing it to the app, without touching routes or UI.
 */
export interface JobSource {
  /** Short id, e.g. `bullmq`; lands in `JobSummary.source` and `QueueSummary.source`. */
  readonly id: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Queues this source knows now (from discovery or configuration). */
  listQueues(): QueueRef[];
  /** Resolves once the first look for queues has finished (found or failed). */
  ready(): Promise<void>;
  /** Whether the queue exists; undefined while the queue list could not be read yet. */
  hasQueue(name: string): boolean | undefined;
  /** Counts, workers and the top `limit` jobs, already in display order. */
  snapshot(request: SnapshotRequest): Promise<SourceSnapshot>;
  /** Adds a job; throws UnknownQueueError for a queue this source does not know. */
  enqueue(request: ParsedEnqueueRequest): Promise<EnqueueResponse>;
  /** Per-queue numbers for health checks and /metrics, from O(1) reads per queue; read-only. */
  queueStats(request: QueueStatsRequest): Promise<QueueStatsReport>;
}

export interface QueueStatsRequest {
  /** "Recent" failures and completions are those finished after `now - windowMs`. */
  windowMs: number;
  now: number;
  /** Most active jobs per queue whose lock is checked (bounds the cost of the stalled check). */
  maxLockChecks: number;
}

export interface QueueStats {
  source: string;
  prefix: string;
  name: string;
  nativeCounts: NativeCounts;
  paused: boolean;
  /** Connected workers, or "unknown" where the Redis server forbids CLIENT LIST. */
  workers: number | 'unknown';
  /** Age of the oldest job waiting to run (wait list, legacy paused list, next prioritized job); 0 when none waits. */
  oldestWaitingAgeMs: number;
  recentFailures: number;
  recentCompletions: number;
  /** Active jobs whose lock is gone, among the `stalledChecked` checked. */
  stalled: number;
  stalledChecked: number;
}

export interface QueueStatsReport {
  queues: QueueStats[];
  workers: Omit<WorkersReport, 'items'>;
}

export interface QueueRef {
  source: string;
  prefix: string;
  name: string;
}

export interface SnapshotRequest {
  limit: number;
  queue?: string;
  state?: JobState;
}

export interface WorkersReport {
  status: 'ok' | 'unknown';
  reason: string | null;
  items: WorkerInfo[];
}

export interface SourceSnapshot {
  jobs: JobSummary[];
  queues: QueueSummary[];
  workers: WorkersReport;
}

export class UnknownQueueError extends Error {
  constructor(readonly queue: string, readonly known: string[]) {
    super(`unknown queue "${queue}"`);
  }
}
