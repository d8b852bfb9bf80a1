import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../logger';

/** One line per request; polling reads log at debug so a dashboard wall does not flood the log. */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const line = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (c.res.status >= 500) {
      logger.warn(line, 'request failed');
    } else if (c.req.method === 'GET' && c.res.status < 400) {
      logger.debug(line, 'request');
    } else {
      logger.info(line, 'request');
    }
  };
}
