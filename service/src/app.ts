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
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { probeRoutes } from './routes/probes';
import type { RedisProbe } from './redis/probe';
import type { StatsCache } from './health/stats-cache';
import type { HealthSettings } from './health/thresholds';
import type { ServiceMetrics } from './metrics/metrics';

/** Health, probes and /metrics (service/HEALTH.md). */
export interface AlertingDeps {
  stats: StatsCache;
  settings: HealthSettings;
  sources: JobSource[];
  probe: RedisProbe;
  metrics: ServiceMetrics;
}

export interface AppDeps {
  logger: Logger;
  apiToken: string | null;
  readToken: string | null;
  snapshots: SnapshotService;
  /** Where new jobs go (the first source that can enqueue). */
  writeSource: JobSource;
  /** Optional so apps built for other routes' tests need not wire it; createService always does. */
  alerting?: AlertingDeps;
}

/** The whole HTTP API as a Hono app; tests call `app.request()` without a socket. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use('*', requestLog(deps.logger));

  const reads = requireReadToken(deps.readToken, deps.apiToken);
  app.use(`${API_PATHS.status}`, reads);
  app.route(API_PATHS.status, statusRoutes(deps.snapshots));

  // Only the write needs the token; other methods on this path fall through to the JSON 404.
  app.on('POST', API_PATHS.enqueue, requireWriteToken(deps.apiToken));
  app.route(API_PATHS.enqueue, jobRoutes(deps.writeSource));

  if (deps.alerting) {
    const a = deps.alerting;
    app.use(API_PATHS.health, reads);
    app.route(API_PATHS.health, healthRoutes({ stats: a.stats, settings: a.settings, sources: a.sources }));
    app.use(API_PATHS.metrics, reads);
    app.route(API_PATHS.metrics, metricsRoutes(a.metrics));
    const probes = probeRoutes(a.probe, a.settings.timeoutMs);
    app.route(API_PATHS.livez, probes.livez);
    app.route(API_PATHS.readyz, probes.readyz);
  }

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
