import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorBody, ErrorCode } from '@jobscope/contract';

/** An error that knows its HTTP answer and the project's error body. Anything else becomes a 500 without details. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ErrorBody['error']['issues']
  ) {
    super(status, { message });
  }

  override getResponse(): Response {
    return Response.json(errorBody(this.code, this.message, this.issues), { status: this.status });
  }
}

export function errorBody(code: string, message: string, issues?: ErrorBody['error']['issues']): ErrorBody {
  return { error: issues ? { code, message, issues } : { code, message } };
}

export function sendError(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string): Response {
  return c.json(errorBody(code, message), status);
}

/** A 400 whose message lists every problem, e.g. `limit: limit must be at most 200`. */
export function validationError(code: ErrorCode, error: ZodError): ApiError {
  const issues = error.issues.map((i) => ({
    path: i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : ''),
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
  const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return new ApiError(400, code, message, issues);
}

/** The client went away while its request body was being read: its problem, not a server error. */
export class ClientAbortedError extends Error {}

/**
 * Whether `err` comes from a request whose client disconnected (a dropped chunked upload): the body stream fails
 * with `aborted`/ECONNRESET, or the request's signal is aborted.
 */
export function isClientAbort(err: unknown, signal?: AbortSignal): boolean {
  if (err instanceof ClientAbortedError) {
    return true;
  }
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return (
    signal?.aborted === true ||
    // Node's IncomingMessage: `Error: aborted` (ECONNRESET). A Redis socket's reset says `read ECONNRESET` instead.
    (code === 'ECONNRESET' && e?.message === 'aborted') ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    e?.name === 'AbortError'
  );
}
