import { z } from 'zod';

/** Every 4xx/5xx answer of the service has this body. */
export const ErrorBodySchema = z.object({
  error: z.object({
    /** Stable machine-readable code, e.g. `invalid_query`, `not_found`, `redis_unavailable`. */
    code: z.string(),
    message: z.string(),
    /** Field-level problems for validation errors. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
