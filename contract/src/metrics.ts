/**
 * Prometheus metric names served at `/metrics`. Dashboards and alert rules may only use these; a test checks both
 * directions (every name is exported, every name a dashboard uses is listed here).
 * Per-queue series carry the labels `source`, `prefix` and `queue`.
 */
export const METRICS = {
  /** Jobs per queue and user-facing state (`state` is one of JOB_STATES), for every source. */
  queueJobs: 'jobscope_queue_jobs',
  /**
   * BullMQ queues only: jobs per queue and BullMQ state, with BullMQ's exporter names (`waiting`, `active`, ...); the
   * BullMQ source owns those names. BullMQ's own exporter calls this gauge `bullmq_job_count`, which `promtool check
   * metrics` rejects (`_count` is reserved for histograms and summaries); provisioning ships a recording rule that
   * restores that name for dashboards built on BullMQ's exporter.
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
