import { NATIVE_STATES, type NativeState } from './states';

/**
 * Prometheus metric names served at `/metrics`. Dashboards and alert rules may only use these; a test checks both
 * directions (every name is exported, every name a dashboard uses is listed here).
 * Per-queue series carry the labels `prefix` and `queue`.
 */
export const METRICS = {
  /**
   * Jobs per queue and state; label `state` uses BullMQ's names (`waiting`, `active`, ...). BullMQ's own exporter calls
   * this gauge `bullmq_job_count`, which `promtool check metrics` rejects (`_count` is reserved for histograms and
   * summaries); provisioning ships a recording rule that restores that name for dashboards built on BullMQ's exporter.
   */
  jobCount: 'bullmq_jobs',
  queueWorkers: 'jobscope_queue_workers',
  queuePaused: 'jobscope_queue_paused',
  /** Age of the oldest job waiting to run, 0 when none waits. */
  queueOldestWaitingAge: 'jobscope_queue_oldest_waiting_age_seconds',
  /** Jobs that failed within the health window (finishedOn-scored failed set). */
  queueRecentFailures: 'jobscope_queue_recent_failures',
  /** Jobs that completed within the health window. */
  queueRecentCompletions: 'jobscope_queue_recent_completions',
  /** Active jobs whose lock has expired. */
  queueStalled: 'jobscope_queue_stalled',
  /** Health of a queue: 0 pass, 1 warn, 2 fail. */
  queueHealth: 'jobscope_queue_health',
  snapshotDuration: 'jobscope_snapshot_duration_seconds',
  redisUp: 'jobscope_redis_up',
  redisLatency: 'jobscope_redis_latency_seconds',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** The `state` label of `bullmq_jobs` uses BullMQ's exporter names, which say `waiting` where the keys say `wait`. */
export const METRIC_STATE_OF_NATIVE = {
  active: 'active',
  wait: 'waiting',
  paused: 'paused',
  prioritized: 'prioritized',
  delayed: 'delayed',
  'waiting-children': 'waiting-children',
  failed: 'failed',
  completed: 'completed',
} as const satisfies Record<NativeState, string>;
export type MetricJobState = (typeof METRIC_STATE_OF_NATIVE)[NativeState];

/** Values of the `state` label of `bullmq_jobs`. */
export const METRIC_JOB_STATES: readonly MetricJobState[] = NATIVE_STATES.map((n) => METRIC_STATE_OF_NATIVE[n]);
