import { z } from 'zod';
import { JOB_STATES } from './states';
import { JobSummarySchema } from './job';
import { QueueName } from './queue-name';
import { JOB_ACTIONS, QUEUE_ACTIONS, type JobAction, type QueueAction } from './actions';

/** An instant as epoch ms or an ISO 8601 time. */
function timeParam(name: string) {
  return z.string().transform((v, ctx) => {
    const ms = /^\d{1,16}$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `${name} must be epoch milliseconds or an ISO 8601 time` });
      return z.NEVER;
    }
    return ms;
  });
}

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
  /** One queue name, or several as a comma list. */
  queue: z
    .string()
    .max(4000, 'queue must be at most 4000 characters')
    .transform((s, ctx) => {
      const names = [...new Set(s.split(',').map((n) => n.trim()))];
      for (const n of names) {
        const problem = QueueName.safeParse(n);
        if (!problem.success) {
          ctx.addIssue({ code: 'custom', message: problem.error.issues[0]?.message ?? 'bad queue name' });
          return z.NEVER;
        }
      }
      return names;
    })
    .optional(),
  state: z.enum(JOB_STATES, { error: `state must be one of ${JOB_STATES.join(', ')}` }).optional(),
  /** Exact job name. */
  name: z.string().min(1, 'name must not be empty').max(256, 'name must be at most 256 characters').optional(),
  /** Epoch ms or ISO time: finished jobs by finish time, others by creation time. */
  from: timeParam('from').optional(),
  to: timeParam('to').optional(),
  /** `nextCursor` of the previous page (single-state views only). */
  cursor: z.string().min(1).max(2000, 'cursor is too long').optional(),
  /** `seed`: answer in the shape of the Celery Jobs tab jobscope replaces (see SeedStatusResponse). */
  compat: z.enum(['seed'], { error: 'compat must be "seed"' }).optional(),
})
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => q.cursor === undefined || q.state !== undefined, {
    message: 'cursor needs a state: pages exist for single-state views',
    path: ['cursor'],
  });
export type StatusQuery = z.infer<typeof StatusQuerySchema>;

/** Most jobs per (queue, state) a name or time filter reads before it answers with `complete: false`. */
export const STATUS_FILTER_WINDOW = 10_000;

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
  /**
   * Set when the Redis node holding this queue could not be read (a Cluster master failing over): counts, and the
   * queue's jobs in `jobs`, are from the last good read, `staleReason` says why. Absent when fresh.
   */
  stale: z.literal(true).optional(),
  staleReason: z.string().optional(),
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

/** A Redis node (a Cluster master) that did not answer, and the queues it holds. */
export const UnreachableNodeSchema = z.object({
  /** `host:port`, or null when the node is not known (no node serves the slot). */
  node: z.string().nullable(),
  source: z.string(),
  /** Queues as `<prefix>:<name>`. */
  queues: z.array(z.string()),
  error: z.string(),
});
export type UnreachableNode = z.infer<typeof UnreachableNodeSchema>;

/** Every job and queue action name a source can declare in `SourceInfo.supports.actions`. */
export const SOURCE_ACTIONS = [...JOB_ACTIONS, ...QUEUE_ACTIONS] as const;
export type SourceAction = JobAction | QueueAction;

/** One job source the service reads (BullMQ, Celery, …) and what it can do: the UI hides what it cannot. */
export const SourceInfoSchema = z.object({
  /** The `source` of its JobRefs and queues, e.g. `bullmq`. */
  id: z.string(),
  /** Name to show, e.g. `BullMQ`. */
  label: z.string(),
  supports: z.object({
    /** Whether jobs can be added to its queues (Run job). */
    enqueue: z.boolean(),
    /**
     * Job and queue action names it implements (`SOURCE_ACTIONS`; others answer 405 `not_supported`). Strings, so a
     * newer service's action does not break an older client.
     */
    actions: z.array(z.string()),
  }),
});
export type SourceInfo = z.infer<typeof SourceInfoSchema>;

export const StatusResponseSchema = z.object({
  generatedAt: z.string(),
  generatedAtMs: z.number(),
  /**
   * True when Redis could not be read and this is the last good snapshot. When only some nodes of a Redis Cluster
   * failed, this stays false and the affected queues say `stale` themselves (see `unreachable`).
   */
  stale: z.boolean(),
  /** Age of the snapshot when it was sent. */
  ageMs: z.number(),
  limit: z.number().int(),
  filter: z.object({
    /** The queue filter as given (a comma list for several), or null. */
    queue: z.string().nullable(),
    queues: z.array(z.string()),
    state: z.enum(JOB_STATES).nullable(),
    name: z.string().nullable(),
    fromMs: z.number().nullable(),
    toMs: z.number().nullable(),
  }),
  jobs: z.array(JobSummarySchema),
  /** Cursor of the next page of a single-state view; null on the last page or without a state. */
  nextCursor: z.string().nullable(),
  /** False when a name or time filter stopped at STATUS_FILTER_WINDOW jobs per queue and state. */
  complete: z.boolean(),
  queues: z.array(QueueSummarySchema),
  workers: z.object({
    status: z.enum(['ok', 'unknown']),
    reason: z.string().nullable(),
    items: z.array(WorkerInfoSchema),
  }),
  redis: RedisStatusSchema,
  /** Redis nodes that could not be read for this snapshot and the queues they hold (absent when all answered). */
  unreachable: z.array(UnreachableNodeSchema).optional(),
  service: z.object({ name: z.string(), version: z.string() }),
  /** Every source the service reads, with its capabilities (absent from services older than this field). */
  sources: z.array(SourceInfoSchema).optional(),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

/** Most jobs the seed-compatible answer lists, as the seed's own Jobs tab did. */
export const SEED_RECENT_JOBS = 20;

/**
 * `GET /api/settings/jobs/status?compat=seed`: the shape of the Celery Jobs tab jobscope replaces, so its frontend
 * can point here unchanged. `state` is Celery's vocabulary (RUNNING, PENDING, STARTED, RETRY, FAILURE, REVOKED,
 * SUCCESS); `timestamp` ISO time of the last change known.
 */
export const SeedStatusResponseSchema = z.object({
  recentJobs: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      state: z.string(),
      timestamp: z.string().nullable(),
      worker: z.string().nullable(),
      result: z.string().nullable(),
      traceback: z.string().nullable(),
    })
  ),
});
export type SeedStatusResponse = z.infer<typeof SeedStatusResponseSchema>;
