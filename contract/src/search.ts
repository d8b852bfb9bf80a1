import { z } from 'zod';
import { JOB_STATES } from './states';
import { JobSummarySchema } from './job';

/** Longest log line and stack trace entry a reply carries. */
export const JOB_LOG_LINE_MAX_BYTES = 8 * 1024;
export const JOB_LOG_PAGE_MAX = 1000;
export const SEARCH_DEFAULT_WINDOW = 1000;
export const SEARCH_MAX_WINDOW = 10_000;
export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_LIMIT = 200;

const wholeNumber = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .default(fallback);

/** Query of `GET /api/jobs/:jobKey/logs`. */
export const JobLogQuerySchema = z.strictObject({
  offset: wholeNumber('offset', 0, 10_000_000, 0),
  limit: wholeNumber('limit', 1, JOB_LOG_PAGE_MAX, 100),
});

export const JobLogPageSchema = z.object({
  lines: z.array(z.string()),
  offset: z.number().int(),
  total: z.number().int(),
});
export type JobLogPageResponse = z.infer<typeof JobLogPageSchema>;

/** Query of `GET /api/jobs/search`. `queue` is a comma list of queue names. */
export const SearchQuerySchema = z.strictObject({
  q: z.string().trim().min(1, 'q must not be empty').max(200, 'q must be at most 200 characters'),
  queue: z.string().max(4000).optional(),
  state: z.enum(JOB_STATES, { error: `state must be one of ${JOB_STATES.join(', ')}` }).optional(),
  limit: wholeNumber('limit', 1, SEARCH_MAX_LIMIT, SEARCH_DEFAULT_LIMIT),
  window: wholeNumber('window', 1, SEARCH_MAX_WINDOW, SEARCH_DEFAULT_WINDOW),
});
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

export const SearchResponseSchema = z.object({
  q: z.string(),
  jobs: z.array(JobSummarySchema),
  /** What was searched: jobs read, the window per queue and state, and whether everything in scope was read. */
  searched: z.object({ jobs: z.number().int(), window: z.number().int(), complete: z.boolean() }),
});
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
