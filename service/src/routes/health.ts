import { Hono } from 'hono';
import { z } from 'zod';
import { QueueName } from '@jobscope/contract';
import { validate } from '../http/validate';
import type { SourceRegistry } from '../sources/registry';
import type { StatsCache } from '../health/stats-cache';
import type { HealthSettings } from '../health/thresholds';
import { buildHealthResponse } from '../health/evaluate';
import { sendHealth } from './probes';

const HealthQuerySchema = z.strictObject({ queue: QueueName.optional() });

/**
 * `GET /api/health[?queue=<name>]`: `application/health+json` for alerting; 200 pass/warn, 503 fail.
 * One probe per queue (`?queue=`) lets each queue alert on its own.
 */
export function healthRoutes(deps: { stats: StatsCache; settings: HealthSettings; registry: SourceRegistry }): Hono {
  const app = new Hono();
  app.get('/', validate('query', HealthQuerySchema), async (c) => {
    const { queue } = c.req.valid('query');
    // Read first: it waits for the first discovery, so a known queue is never called unknown at start-up.
    const reading = await deps.stats.get();
    if (queue !== undefined) {
      // Known queues come from memory (discovery or configuration), so this answers even while Redis is down.
      await deps.registry.requireQueueNamed(queue);
    }
    return sendHealth(c, buildHealthResponse(reading, deps.settings, queue));
  });
  return app;
}
