import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import type { ErrorCode } from '@jobscope/contract';
import { validationError } from './errors';

type Target = 'query' | 'param' | 'json';

const CODE_OF_TARGET: Record<Target, ErrorCode> = {
  query: 'invalid_query',
  param: 'invalid_query',
  json: 'invalid_body',
};

/**
 * `@hono/zod-validator` with the one hook every route shares: a failed parse is the project's 400 error body.
 * Query values repeated in the URL (`?limit=1&limit=2`) reach the schema as arrays and are rejected, not guessed at.
 */
export function validate<T extends ZodType, Tg extends Target>(target: Tg, schema: T, code = CODE_OF_TARGET[target]) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      throw validationError(code, result.error as never);
    }
  });
}
