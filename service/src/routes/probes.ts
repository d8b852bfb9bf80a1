import { Hono, type Context } from 'hono';
import { HEALTH_CONTENT_TYPE, type HealthResponse } from '@jobscope/contract';
import { errorMessage, type RedisProbe } from '../redis/probe';
import { withTimeout } from '../health/with-timeout';
import { SERVICE_NAME, SERVICE_VERSION } from '../version';

export function sendHealth(c: Context, body: HealthResponse): Response {
  return c.body(JSON.stringify(body), body.status === 'fail' ? 503 : 200, {
    'Content-Type': HEALTH_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  });
}

/**
 * Orchestrator probes. `/livez`: the process answers (never depends on Redis, so a Redis outage never restarts pods).
 * `/readyz`: Redis answers PING within the timeout.
 */
export function probeRoutes(
  probe: RedisProbe,
  timeoutMs: number,
  stopping: () => boolean = () => false
): { livez: Hono; readyz: Hono } {
  const livez = new Hono();
  livez.get('/', (c) => sendHealth(c, { status: 'pass', serviceId: SERVICE_NAME, version: SERVICE_VERSION, checks: {} }));

  const readyz = new Hono();
  readyz.get('/', async (c) => {
    const time = new Date().toISOString();
    // Shutting down (SIGTERM): take this instance out of rotation at once, whatever Redis says.
    if (stopping()) {
      return sendHealth(c, {
        status: 'fail',
        serviceId: SERVICE_NAME,
        version: SERVICE_VERSION,
        output: 'shutting down',
        checks: {},
      });
    }
    const redis = await withTimeout(probe.ping(), timeoutMs, 'Redis PING').catch((err: unknown) => ({
      ok: false,
      latencyMs: null,
      error: errorMessage(err),
    }));
    return sendHealth(c, {
      status: redis.ok ? 'pass' : 'fail',
      serviceId: SERVICE_NAME,
      version: SERVICE_VERSION,
      ...(redis.ok ? {} : { output: `Redis unreachable: ${redis.error ?? 'unknown error'}` }),
      checks: {
        'redis:responseTime': [
          {
            componentId: 'redis',
            componentType: 'datastore',
            observedValue: redis.latencyMs,
            observedUnit: 'ms',
            status: redis.ok ? 'pass' : 'fail',
            time,
          },
        ],
      },
    });
  });
  return { livez, readyz };
}
