/**
 * Prometheus metric names served at `/metrics`. Dashboards and alert rules may only use these; a test checks both
 * directions (every name is exported, every name a dashboard uses is listed here).
 * Per-queue series carry the labels `prefix` and `queue`.
 */
export const METRICS = {
  /** BullMQ's own name (Queue.exportPrometheusMetrics); label `state` uses BullMQ's names (`waiting`, `active`, ...). */
  jobCount: 'bullmq_job_count',
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

/** Values of the `state` label of `bullmq_job_count`, as BullMQ's exporter names them. */
export const METRIC_JOB_STATES = [
  'active',
  'waiting',
  'paused',
  'prioritized',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;
