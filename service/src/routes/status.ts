import { Hono } from 'hono';
import { StatusQuerySchema } from '@jobscope/contract';
import { validate } from '../http/validate';
import type { SnapshotService } from '../snapshot/snapshot-service';

/** `GET /api/settings/jobs/status`: recent jobs across all queues, sorted by state, plus counts and workers. */
export function statusRoutes(snapshots: SnapshotService): Hono {
  const app = new Hono();
  app.get('/', validate('query', StatusQuerySchema), async (c) => {
    const body = await snapshots.getJson(c.req.valid('query'));
    return c.body(body, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  });
  return app;
}
