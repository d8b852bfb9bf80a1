import { Hono, type MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { API_PATHS } from '@jobscope/contract';
import type { Logger } from './logger';
import type { SnapshotService } from './snapshot/snapshot-service';
import type { SourceRegistry } from './sources/registry';
import {
  InvalidRequestError,
  JobNotFoundError,
  NoListenerError,
  ActionNotSupportedError,
  OutcomeUnknownError,
  SourceUnavailableError,
  WrongStateError,
} from './sources/source';
import { auditWrites, type AuditLog } from './audit/audit-log';
import { auditRoutes } from './routes/audit';
import { streamRoutes } from './routes/stream';
import type { StreamHub } from './stream/stream-hub';
import { SnapshotUnavailableError } from './snapshot/snapshot-service';
import { ApiError, errorBody, isClientAbort, sendError } from './http/errors';
import { isReadMethod, requireReadToken, tokenGuard } from './http/auth';
import { requestLog } from './http/request-log';
import { statusRoutes } from './routes/status';
import { jobRoutes } from './routes/jobs';
import { queueRoutes } from './routes/queues';
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
  probe: RedisProbe;
  metrics: ServiceMetrics;
  /** True once the process is shutting down: /readyz answers 503. */
  stopping?: () => boolean;
}

export interface AppDeps {
  logger: Logger;
  apiToken: string | null;
  readToken: string | null;
  registry: SourceRegistry;
  snapshots: SnapshotService;
  audit: AuditLog;
  streams: StreamHub;
  /** JOBSCOPE_READ_ONLY: every write answers 403. */
  readOnly?: boolean;
  /** Optional so apps built for other routes' tests need not wire it; createService always does. */
  alerting?: AlertingDeps;
}

/**
 * A group of routes under one path whose every method is behind the token guard, mounted before any route; writes
 * are audited (refused ones too: the audit middleware runs outside the guard).
 */
function guardedGroup(guard: MiddlewareHandler, audit: MiddlewareHandler, routes: Hono): Hono {
  const group = new Hono();
  group.use('*', audit, guard);
  group.route('/', routes);
  return group;
}

/** The whole HTTP API as a Hono app; tests call `app.request()` without a socket. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use('*', requestLog(deps.logger));

  // Reads need the read token (when set); any other method needs the write token, in every group alike.
  const guard = tokenGuard(deps.readToken, deps.apiToken, { readOnly: deps.readOnly });
  const audit = auditWrites(deps.audit);
  // A successful write makes every cached reading stale: the UI refetches right after an action and must see it.
  const freshAfterWrites: MiddlewareHandler = async (c, next) => {
    await next();
    if (!isReadMethod(c.req.method) && c.res.status < 400) {
      deps.snapshots.invalidate();
      deps.alerting?.stats.invalidate();
    }
  };
  const group = (routes: Hono) => guardedGroup(guard, every(audit, freshAfterWrites), routes);
  app.route(API_PATHS.status, group(statusRoutes(deps.snapshots)));
  app.route(API_PATHS.stream, group(streamRoutes(deps.streams)));
  app.route(API_PATHS.jobs, group(jobRoutes(deps.registry, deps.snapshots)));
  app.route(API_PATHS.queues, group(queueRoutes(deps.registry)));
  app.route(API_PATHS.audit, group(auditRoutes(deps.audit)));

  if (deps.alerting) {
    const a = deps.alerting;
    app.route(
      API_PATHS.health,
      group(healthRoutes({ stats: a.stats, settings: a.settings, registry: deps.registry }))
    );
    const reads = requireReadToken(deps.readToken, deps.apiToken);
    app.use(API_PATHS.metrics, reads);
    app.route(API_PATHS.metrics, metricsRoutes(a.metrics));
    const probes = probeRoutes(a.probe, a.settings.timeoutMs, a.stopping);
    app.route(API_PATHS.livez, probes.livez);
    app.route(API_PATHS.readyz, probes.readyz);
  }

  app.notFound((c) => sendError(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  // The one place errors become answers: routes throw, never format.
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return err.getResponse();
    }
    if (err instanceof HTTPException) {
      // Hono's own middleware (bearer-auth) carries a finished answer with its headers (WWW-Authenticate).
      return err.res ? err.getResponse() : c.json(errorBody('http_error', err.message || 'request rejected'), err.status);
    }
    if (err instanceof InvalidRequestError) {
      return c.json(errorBody('invalid_body', `${err.path}: ${err.message}`, [{ path: err.path, message: err.message }]), 400);
    }
    if (err instanceof JobNotFoundError) {
      return sendError(c, 404, 'job_not_found', err.message);
    }
    if (err instanceof WrongStateError) {
      return sendError(c, 409, 'wrong_state', err.message);
    }
    if (err instanceof ActionNotSupportedError) {
      return sendError(c, 405, 'not_supported', err.message);
    }
    if (err instanceof NoListenerError) {
      return sendError(c, 409, 'no_listener', err.message);
    }
    if (err instanceof SnapshotUnavailableError) {
      return sendError(c, 503, 'redis_unavailable', `Redis is unavailable and no earlier snapshot exists: ${err.message}`);
    }
    if (err instanceof OutcomeUnknownError) {
      return sendError(c, 504, 'redis_timeout', err.message);
    }
    if (err instanceof SourceUnavailableError) {
      return sendError(c, 503, 'redis_unavailable', err.message);
    }
    if (isClientAbort(err, c.req.raw.signal)) {
      // Nobody reads this answer; the 400 only keeps the request log and metrics from counting a server error.
      deps.logger.debug({ method: c.req.method, path: c.req.path }, 'client disconnected before its request was read');
      return sendError(c, 400, 'invalid_body', 'the request body ended early (client disconnected)');
    }
    deps.logger.error({ err }, 'unhandled error');
    return c.json(errorBody('internal', 'internal error'), 500);
  });
  return app;
}
