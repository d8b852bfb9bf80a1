import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sendError } from './errors';

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match ? match[1].trim() : null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Routes that change anything: need JOBSCOPE_API_TOKEN; disabled (403) when the service has none. */
export function requireWriteToken(apiToken: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (!apiToken) {
      return sendError(c, 403, 'writes_disabled', 'write routes are disabled: the service has no JOBSCOPE_API_TOKEN set');
    }
    const given = bearer(c.req.header('authorization'));
    if (!given) {
      return sendError(c, 401, 'unauthorized', 'missing "Authorization: Bearer <token>" header');
    }
    if (!same(given, apiToken)) {
      return sendError(c, 401, 'unauthorized', 'invalid token');
    }
    await next();
  };
}

/** Read routes: open unless JOBSCOPE_READ_TOKEN is set; the write token is accepted for reads too. */
export function requireReadToken(readToken: string | null, apiToken: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (!readToken) {
      return next();
    }
    const given = bearer(c.req.header('authorization'));
    if (!given) {
      return sendError(c, 401, 'unauthorized', 'missing "Authorization: Bearer <token>" header (JOBSCOPE_READ_TOKEN is set)');
    }
    if (!same(given, readToken) && !(apiToken && same(given, apiToken))) {
      return sendError(c, 401, 'unauthorized', 'invalid token');
    }
    await next();
  };
}
