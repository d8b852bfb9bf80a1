import { z } from 'zod';
import { JOB_STATES } from './states';

/** Longest excerpt of a job's return value or error message the service sends. */
export const RESULT_EXCERPT_CHARS = 200;
/** Longest excerpt of the newest stack trace the service sends. */
export const TRACEBACK_EXCERPT_CHARS = 500;

const isoOrNull = z.string().nullable();
const msOrNull = z.number().nullable();

/** One job as shown in the jobs list: a summary, never the full payload. */
export const JobSummarySchema = z.object({
  /** With `prefix`, `queue` and `source`, the job's JobRef (see `jobKey`). */
  id: z.string(),
  queue: z.string(),
  /** Key prefix of the queue (BullMQ `prefix`); queues of one name under two prefixes are different queues. */
  prefix: z.string(),
  /** Which source produced it (e.g. `bullmq`). */
  source: z.string(),
  name: z.string(),
  state: z.enum(JOB_STATES),
  /** The source's own name for where the job is (e.g. BullMQ `prioritized`): shown as is, never interpreted. */
  nativeState: z.string(),
  createdAt: isoOrNull,
  createdAtMs: msOrNull,
  startedAt: isoOrNull,
  startedAtMs: msOrNull,
  finishedAt: isoOrNull,
  finishedAtMs: msOrNull,
  /** When a delayed job is due to run. */
  dueAt: isoOrNull,
  dueAtMs: msOrNull,
  /** finished - started, or now - started while running. */
  durationMs: msOrNull,
  /** Whatever the worker reported: a number (percent) or a JSON object. */
  progress: z.unknown(),
  attemptsMade: z.number().int(),
  priority: z.number().int().nullable(),
  /** The worker that processed it (BullMQ `processedBy`). */
  worker: z.string().nullable(),
  /** Return value as JSON text, cut to RESULT_EXCERPT_CHARS. */
  result: z.string().nullable(),
  /** Failure reason, cut to RESULT_EXCERPT_CHARS. */
  error: z.string().nullable(),
  /** Newest stack trace entry, cut to TRACEBACK_EXCERPT_CHARS. */
  traceback: z.string().nullable(),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

/** Longest job data / return value text a job detail carries; longer values are cut and marked. */
export const DETAIL_VALUE_MAX_BYTES = 64 * 1024;

const truncatedText = z.object({
  /** JSON text as stored, cut to DETAIL_VALUE_MAX_BYTES; null when absent. */
  text: z.string().nullable(),
  truncated: z.boolean(),
  /** Size of the whole stored value in bytes. */
  bytes: z.number().int(),
});

/** A JobRef as JSON (see job-ref.ts for its string form). */
export const JobRefSchema = z.object({ source: z.string(), prefix: z.string(), queue: z.string(), id: z.string() });

/** Most children a job detail lists (their counts are always complete). */
export const DETAIL_MAX_CHILDREN = 50;
/** Longest stack trace entry a job detail carries. */
export const DETAIL_TRACE_MAX_BYTES = 8 * 1024;

export const TIMELINE_EVENTS = ['created', 'delayed-until', 'started', 'attempt-failed', 'finished'] as const;

/** `GET /api/jobs/:jobKey`: everything a summary has, plus the payload, its flow and its history. */
export const JobDetailSchema = JobSummarySchema.extend({
  data: truncatedText,
  returnValue: truncatedText,
  /** The full failure reason. */
  failedReason: z.string().nullable(),
  /** Every stack trace entry (each cut to DETAIL_TRACE_MAX_BYTES), oldest first. */
  stacktrace: z.array(z.string()),
  /** Options the job was added with, as the source stores them. */
  opts: z.unknown(),
  attemptsStarted: z.number().int(),
  /** Delay it was added with, when any. */
  delayMs: z.number().nullable(),
  deduplicationId: z.string().nullable(),
  /** The job this one is a child of (a flow), when any. */
  parent: JobRefSchema.nullable(),
  children: z.object({
    processed: z.number().int(),
    unprocessed: z.number().int(),
    /** Children that failed and failed the parent's dependency. */
    failed: z.number().int(),
    /** Children that failed but were ignored (ignoreDependencyOnFailure). */
    ignored: z.number().int(),
    /** The first DETAIL_MAX_CHILDREN children with where they are now (null state: no longer found). */
    items: z.array(z.object({ ref: JobRefSchema, state: z.enum(JOB_STATES).nullable(), nativeState: z.string() })),
  }),
  logCount: z.number().int(),
  /** What happened when, oldest first; times are null where the source does not record them. */
  timeline: z.array(z.object({ event: z.enum(TIMELINE_EVENTS), atMs: z.number().nullable(), detail: z.string().nullable() })),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

/** A percentage 0..100 from a job's progress, when it carries one. */
export function progressPercent(progress: unknown): number | null {
  const clamp = (n: number) => Math.max(0, Math.min(100, n));
  if (typeof progress === 'number' && Number.isFinite(progress)) {
    return clamp(progress);
  }
  if (progress && typeof progress === 'object') {
    for (const key of ['percent', 'pct', 'progress', 'value']) {
      const v = (progress as Record<string, unknown>)[key];
      if (typeof v === 'number' && Number.isFinite(v)) {
        return clamp(v);
      }
    }
  }
  return null;
}
