import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { errorBody, sendError } from './errors';

const REALM = 'jobscope';

/**
 * Hono's bearer-auth, answering with the project's JSON error body and its `WWW-Authenticate` challenge. A request
 * without Bearer credentials (none, another scheme, an empty token) is asked to authenticate (401), not told it is
 * malformed (bearer-auth's 400).
 */
function bearer(tokens: string[], missing: string): MiddlewareHandler {
  const check = bearerAuth({
    token: tokens,
    realm: REALM,
    noAuthenticationHeader: { message: errorBody('unauthorized', missing) },
    invalidAuthenticationHeader: {
      message: errorBody('unauthorized', 'malformed Authorization header: expected "Bearer <token>"'),
    },
    invalidToken: { message: errorBody('unauthorized', 'invalid token') },
  });
  return (c, next) => {
    if (!/^Bearer\s+\S/i.test(c.req.header('authorization') ?? '')) {
      c.header('WWW-Authenticate', `Bearer realm="${REALM}"`);
      return Promise.resolve(sendError(c, 401, 'unauthorized', missing));
    }
    return check(c, next);
  };
}

/** Routes that change anything: need JOBSCOPE_API_TOKEN; disabled (403) when the service has none. */
export function requireWriteToken(apiToken: string | null): MiddlewareHandler {
  if (!apiToken) {
    return (c) =>
      Promise.resolve(
        sendError(c, 403, 'writes_disabled', 'write routes are disabled: the service has no JOBSCOPE_API_TOKEN set')
      );
  }
  return bearer([apiToken], 'missing "Authorization: Bearer <token>" header');
}

/** Read routes: open unless JOBSCOPE_READ_TOKEN is set; the write token is accepted for reads too. */
export function requireReadToken(readToken: string | null, apiToken: string | null): MiddlewareHandler {
  if (!readToken) {
    return (_c, next) => next();
  }
  return bearer(
    apiToken ? [readToken, apiToken] : [readToken],
    'missing "Authorization: Bearer <token>" header (JOBSCOPE_READ_TOKEN is set)'
  );
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Methods that only read; every other method is a write (token, audit, cache invalidation). */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method);
}

/**
 * The guard of a route group: reads need the read token (when set), every other method the write token (or is
 * refused in read-only mode). Mounted with
 * `group.use('*', …)` before any route, so a write route added to the group later cannot skip it.
 */
export function tokenGuard(readToken: string | null, apiToken: string | null, opts: { readOnly?: boolean } = {}): MiddlewareHandler {
  const reads = requireReadToken(readToken, apiToken);
  const writes: MiddlewareHandler = opts.readOnly
    ? (c) =>
        Promise.resolve(
          sendError(c, 403, 'read_only', 'the service runs read-only (JOBSCOPE_READ_ONLY=true): nothing can be changed')
        )
    : requireWriteToken(apiToken);
  return (c, next) => (isReadMethod(c.req.method) ? reads(c, next) : writes(c, next));
}
