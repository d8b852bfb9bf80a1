import type { Context, MiddlewareHandler } from 'hono';
import type { z, ZodType } from 'zod';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import { ApiError, sendError, validationError } from './errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { errorMessage } from '../redis/probe';

declare module 'hono' {
  interface ContextVariableMap {
    /** The parsed request body (an object), once `jsonBody` checked it. */
    jsonBody?: object;
  }
}

/** The checked body, validated against a schema with the project's 400 (for routes whose body may be empty). */
export function bodyOf<T extends ZodType>(c: Context, schema: T): z.output<T> {
  const parsed = schema.safeParse(c.get('jsonBody') ?? {});
  if (!parsed.success) {
    throw validationError('invalid_body', parsed.error);
  }
  return parsed.data;
}

/**
 * What every JSON write route checks before its schema: size, media type, syntax, an object at the top and a sane
 * depth, each answered with its own 4xx. The schema then runs through `validate('json', …)`.
 */
export function jsonBody(maxBytes: number, opts: { optional?: boolean } = {}): MiddlewareHandler {
  return every(
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) => sendError(c, 413, 'body_too_large', `request body is larger than ${maxBytes} bytes`),
    }),
    async (c, next) => {
      if (opts.optional && (await c.req.text()).trim() === '') {
        c.set('jsonBody', {});
        return next();
      }
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) {
        throw new ApiError(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json)');
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch (err) {
        throw new ApiError(400, 'invalid_json', `request body is not valid JSON: ${errorMessage(err)}`);
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
        throw new ApiError(400, 'invalid_body', `request body must be a JSON object, got ${got}`);
      }
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        throw new ApiError(400, 'invalid_body', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
      c.set('jsonBody', body);
      await next();
    }
  );
}
