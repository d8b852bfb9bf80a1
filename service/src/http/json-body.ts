import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import { ApiError, sendError } from './errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { errorMessage } from '../redis/probe';

/**
 * What every JSON write route checks before its schema: size, media type, syntax, an object at the top and a sane
 * depth, each answered with its own 4xx. The schema then runs through `validate('json', …)`.
 */
export function jsonBody(maxBytes: number): MiddlewareHandler {
  return every(
    bodyLimit({
      maxSize: maxBytes,
      onError: (c) => sendError(c, 413, 'body_too_large', `request body is larger than ${maxBytes} bytes`),
    }),
    async (c, next) => {
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
      await next();
    }
  );
}
