import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorBody } from '@jobscope/contract';

/** An error that knows its HTTP answer. Anything else becomes a 500 without details. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: ErrorBody['error']['issues']
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, issues?: ErrorBody['error']['issues']): ErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

export function sendError(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json(errorBody(code, message), status);
}

/** A 400 whose message lists every problem, e.g. `limit: limit must be at most 200`. */
export function validationError(code: string, error: ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''),
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new ApiError(400, code, message, issues);
}

/** 404 for a queue no source knows, listing the ones it does (the same words on every route). */
export function unknownQueue(queue: string, known: string[]): ApiError {
  const list = known.length ? [...new Set(known)].join(', ') : 'none yet';
  return new ApiError(404, 'unknown_queue', `unknown queue "${queue}"; known queues: ${list}`);
}
