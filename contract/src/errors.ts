import { z } from 'zod';

/** Stable machine-readable codes of the service's error bodies. */
export const ERROR_CODES = [
  'invalid_query',
  'invalid_body',
  'invalid_json',
  'invalid_job_key',
  'body_too_large',
  'unsupported_media_type',
  'unauthorized',
  'writes_disabled',
  'not_found',
  'unknown_queue',
  'unknown_source',
  'job_not_found',
  'ambiguous_queue',
  'not_supported',
  'wrong_state',
  'no_listener',
  'read_only',
  'too_many_streams',
  'redis_unavailable',
  'redis_timeout',
  'http_error',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every 4xx/5xx answer of the service has this body. */
export const ErrorBodySchema = z.object({
  error: z.object({
    /** One of ERROR_CODES (a string, so an older client still reads a newer code). */
    code: z.string(),
    message: z.string(),
    /** Field-level problems for validation errors. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
