import { z } from 'zod';
import { JOB_STATES } from './states';
import { QueueName } from './queue-name';

export const ENQUEUE_MAX_BODY_BYTES = 256 * 1024;
/** One year: longer delays are almost always a unit mistake (seconds vs ms). */
export const MAX_DELAY_MS = 365 * 24 * 3600 * 1000;

export const EnqueueOptionsSchema = z.strictObject({
  delay: z.number().int('delay must be a whole number of ms').min(0).max(MAX_DELAY_MS).optional(),
  /** The source checks its own upper bound (BullMQ: 2,097,151) and answers 400 beyond it. */
  priority: z.number().int('priority must be a whole number').min(0).optional(),
  attempts: z.number().int('attempts must be a whole number').min(1).max(100).optional(),
});

/** Body of `POST /api/jobs`. */
export const EnqueueRequestSchema = z.strictObject({
  queue: QueueName,
  /** Needed only when the queue name exists under several prefixes or sources. */
  prefix: z.string().min(1).max(200).optional(),
  source: z.string().min(1).max(64).optional(),
  name: z.string().min(1, 'job name must not be empty').max(256, 'job name must be at most 256 characters'),
  data: z.json().default({}),
  opts: EnqueueOptionsSchema.default({}),
});
export type EnqueueRequest = z.input<typeof EnqueueRequestSchema>;
export type ParsedEnqueueRequest = z.output<typeof EnqueueRequestSchema>;

/** The new job's JobRef and where it went. */
export const EnqueueResponseSchema = z.object({
  source: z.string(),
  prefix: z.string(),
  queue: z.string(),
  id: z.string(),
  state: z.enum(JOB_STATES),
});
export type EnqueueResponse = z.infer<typeof EnqueueResponseSchema>;
