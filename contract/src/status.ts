import { z } from 'zod';
import { JOB_STATES } from './states';
import { JobSummarySchema } from './job';
import { QueueName } from './queue-name';

export const STATUS_DEFAULT_LIMIT = 20;
export const STATUS_MAX_LIMIT = 200;

/** Query of `GET /api/settings/jobs/status`. Unknown parameters are rejected, limits are not silently clamped. */
export const StatusQuerySchema = z.strictObject({
  // Digits only: `1e2`, `0x10` or an empty value are mistakes, not numbers to guess at.
  limit: z
    .union([z.string().regex(/^-?\d{1,6}$/, 'limit must be a whole number'), z.number()])
    .transform(Number)
    .pipe(
      z
        .number()
        .int('limit must be a whole number')
        .min(1, 'limit must be at least 1')
        .max(STATUS_MAX_LIMIT, `limit must be at most ${STATUS_MAX_LIMIT}`)
    )
    .default(STATUS_DEFAULT_LIMIT),
  queue: QueueName.optional(),
  state: z.enum(JOB_STATES, { error: `state must be one of ${JOB_STATES.join(', ')}` }).optional(),
});
export type StatusQuery = z.infer<typeof StatusQuerySchema>;

const countsSchema = z.object(Object.fromEntries(JOB_STATES.map((s) => [s, z.number().int()])) as {
  [K in (typeof JOB_STATES)[number]]: z.ZodNumber;
});
/** A source's own per-state counts by its own state names. */
const nativeCountsSchema = z.record(z.string(), z.number().int());

export const QueueSummarySchema = z.object({
  name: z.string(),
  prefix: z.string(),
  source: z.string(),
  counts: countsSchema,
  nativeCounts: nativeCountsSchema,
  paused: z.boolean(),
  /** Connected workers, or "unknown" where the Redis server forbids CLIENT LIST. */
  workers: z.union([z.number().int(), z.literal('unknown')]),
  /** Library version written by the producer (BullMQ `meta.version`), when known. */
  version: z.string().nullable(),
});
export type QueueSummary = z.infer<typeof QueueSummarySchema>;

export const WorkerInfoSchema = z.object({
  queue: z.string(),
  prefix: z.string(),
  /** Worker name given to BullMQ (`name` option), when set. */
  name: z.string().nullable(),
  addr: z.string().nullable(),
  ageSeconds: z.number().nullable(),
  idleSeconds: z.number().nullable(),
});
export type WorkerInfo = z.infer<typeof WorkerInfoSchema>;

export const RedisStatusSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
  version: z.string().nullable(),
});
export type RedisStatus = z.infer<typeof RedisStatusSchema>;

export const StatusResponseSchema = z.object({
  generatedAt: z.string(),
  generatedAtMs: z.number(),
  /** True when Redis could not be read and this is the last good snapshot. */
  stale: z.boolean(),
  /** Age of the snapshot when it was sent. */
  ageMs: z.number(),
  limit: z.number().int(),
  filter: z.object({ queue: z.string().nullable(), state: z.enum(JOB_STATES).nullable() }),
  jobs: z.array(JobSummarySchema),
  queues: z.array(QueueSummarySchema),
  workers: z.object({
    status: z.enum(['ok', 'unknown']),
    reason: z.string().nullable(),
    items: z.array(WorkerInfoSchema),
  }),
  redis: RedisStatusSchema,
  service: z.object({ name: z.string(), version: z.string() }),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
