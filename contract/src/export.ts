import { z } from 'zod';
import { JOB_STATES } from './states';

export const EXPORT_DEFAULT_MAX = 10_000;
export const EXPORT_MAX = 100_000;
export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Columns of a CSV export, in order (JobSummary fields). */
export const EXPORT_COLUMNS = [
  'source', 'prefix', 'queue', 'id', 'name', 'state', 'nativeState', 'createdAt', 'startedAt', 'finishedAt', 'dueAt',
  'durationMs', 'attemptsMade', 'priority', 'worker', 'progress', 'result', 'error',
] as const;

/** Query of `GET /api/jobs/export`: the status route's filters plus format and max. */
export const ExportQuerySchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS, { error: 'format must be csv or json' }).default('csv'),
  max: z
    .string()
    .regex(/^\d{1,6}$/, 'max must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'max must be at least 1').max(EXPORT_MAX, `max must be at most ${EXPORT_MAX}`))
    .default(EXPORT_DEFAULT_MAX),
  queue: z.string().max(4000).optional(),
  state: z.enum(JOB_STATES, { error: `state must be one of ${JOB_STATES.join(', ')}` }).optional(),
  name: z.string().min(1).max(256).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
});
export type ExportQuery = z.infer<typeof ExportQuerySchema>;
