import { Hono } from 'hono';
import { z } from 'zod';
import { QueueName } from '@jobscope/contract';
import { ApiError, validationError } from '../http/errors';
import type { JobSource } from '../sources/source';
import type { StatsCache } from '../health/stats-cache';
import type { HealthSettings } from '../health/thresholds';
import { buildHealthResponse } from '../health/evaluate';
import { sendHealth } from './probes';

const HealthQuerySchema = z.strictObject({ queue: QueueName.optional() });

/**
 * `GET /api/health[?queue=<name>]`: `application/health+json` for alerting; 200 pass/warn, 503 fail.
 * One probe per queue (`?queue=`) lets each queue alert on its own.
 */
export function healthRoutes(deps: { stats: StatsCache; settings: HealthSettings; sources: JobSource[] }): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const parsed = HealthQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      throw validationError('invalid_query', parsed.error);
    }
    const { queue } = parsed.data;
    if (queue !== undefined) {
      // Known queues come from memory (discovery or configuration), so this answers even while Redis is down.
      const known = deps.sources.flatMap((s) => s.listQueues().map((q) => q.name));
      if (!known.includes(queue)) {
        const list = known.length ? [...new Set(known)].join(', ') : 'none yet';
        throw new ApiError(404, 'unknown_queue', `unknown queue "${queue}"; known queues: ${list}`);
      }
    }
    const reading = await deps.stats.get();
    return sendHealth(c, buildHealthResponse(reading, deps.settings, queue));
  });
  return app;
}
