import { Hono } from 'hono';
import { StatusQuerySchema } from '@jobscope/contract';
import { ApiError, unknownQueue, validationError } from '../http/errors';
import { UnknownQueueError } from '../sources/source';
import { SnapshotUnavailableError, type SnapshotService } from '../snapshot/snapshot-service';

/** `GET /api/settings/jobs/status`: recent jobs across all queues, sorted by state, plus counts and workers. */
export function statusRoutes(snapshots: SnapshotService): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const parsed = StatusQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      throw validationError('invalid_query', parsed.error);
    }
    try {
      const body = await snapshots.get(parsed.data);
      c.header('Cache-Control', 'no-store');
      return c.json(body, 200);
    } catch (err) {
      if (err instanceof UnknownQueueError) {
        throw unknownQueue(err.queue, err.known);
      }
      if (err instanceof SnapshotUnavailableError) {
        throw new ApiError(503, 'redis_unavailable', `Redis is unavailable and no earlier snapshot exists: ${err.message}`);
      }
      throw err;
    }
  });
  return app;
}
