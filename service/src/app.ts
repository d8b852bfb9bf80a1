import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { API_PATHS } from '@jobscope/contract';
import type { Logger } from './logger';
import type { JobSource } from './sources/source';
import type { SnapshotService } from './snapshot/snapshot-service';
import { ApiError, errorBody, sendError } from './http/errors';
import { requireReadToken, requireWriteToken } from './http/auth';
import { requestLog } from './http/request-log';
import { statusRoutes } from './routes/status';
import { jobRoutes } from './routes/jobs';

export interface AppDeps {
  logger: Logger;
  apiToken: string | null;
  readToken: string | null;
  snapshots: SnapshotService;
  /** Where new jobs go (the first source that can enqueue). */
  writeSource: JobSource;
}

/** The whole HTTP API as a Hono app; tests call `app.request()` without a socket. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use('*', requestLog(deps.logger));

  const reads = requireReadToken(deps.readToken, deps.apiToken);
  app.use(`${API_PATHS.status}`, reads);
  app.route(API_PATHS.status, statusRoutes(deps.snapshots));

  app.use(API_PATHS.enqueue, requireWriteToken(deps.apiToken));
  app.route(API_PATHS.enqueue, jobRoutes(deps.writeSource));

  app.notFound((c) => sendError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message, err.issues), err.status);
    }
    if (err instanceof HTTPException) {
      return c.json(errorBody('http_error', err.message || 'request rejected'), err.status);
    }
    deps.logger.error({ err }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error'), 500);
  });
  return app;
}
