import { z } from 'zod';
import { JobSummarySchema } from './job';

/** What a user can do to one job. */
export const JOB_ACTIONS = ['retry', 'remove', 'promote', 'cancel'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** What a user can do to a whole queue. */
export const QUEUE_ACTIONS = ['pause', 'resume', 'retry-failed', 'clean'] as const;
export type QueueAction = (typeof QUEUE_ACTIONS)[number];

/** Most jobs one retry-failed or clean request touches. */
export const QUEUE_ACTION_MAX_JOBS = 10_000;

/** Body of `POST /api/jobs/:jobKey/cancel` (optional). */
export const CancelRequestSchema = z.strictObject({
  reason: z.string().min(1).max(500).optional(),
});

/** Body of `POST /api/queues/:queue/retry-failed`. */
export const RetryFailedRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(QUEUE_ACTION_MAX_JOBS).default(1000),
});

/** Body of `POST /api/queues/:queue/clean`: removes finished jobs (by user-facing state) older than `olderThanMs`, at most `limit`. */
export const CleanRequestSchema = z.strictObject({
  state: z.enum(['SUCCESS', 'FAILURE'], { error: 'state must be "SUCCESS" or "FAILURE"' }),
  olderThanMs: z.number().int().min(0),
  limit: z.number().int().min(1).max(QUEUE_ACTION_MAX_JOBS),
});

/** Reply of a job action: the job's summary after it (null once removed). */
export const JobActionResponseSchema = z.object({
  action: z.enum(JOB_ACTIONS),
  job: JobSummarySchema.nullable(),
  /** cancel only: how many workers received the request (the job fails once its processor stops). */
  delivered: z.number().int().optional(),
});
export type JobActionResponse = z.infer<typeof JobActionResponseSchema>;

/** Reply of a queue action. */
export const QueueActionResponseSchema = z.object({
  action: z.enum(QUEUE_ACTIONS),
  queue: z.object({ source: z.string(), prefix: z.string(), name: z.string() }),
  /** Jobs moved or removed (0 for pause and resume). */
  touched: z.number().int(),
  paused: z.boolean(),
});
export type QueueActionResponse = z.infer<typeof QueueActionResponseSchema>;

/** One write as the audit trail keeps it. */
export const AuditEntrySchema = z.object({
  time: z.string(),
  action: z.string(),
  /** The job key, queue key or `queue:<name>` of enqueue. */
  target: z.string(),
  outcome: z.enum(['ok', 'rejected', 'error']),
  status: z.number().int(),
  /** The Grafana user from X-Grafana-Context (login), or "token" when the call carried none. */
  user: z.string(),
  role: z.string().nullable(),
  detail: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AUDIT_MAX_ENTRIES = 1000;
