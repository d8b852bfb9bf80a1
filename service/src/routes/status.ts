import { Hono } from 'hono';
import { StatusQuerySchema } from '@jobscope/contract';
import { validate } from '../http/validate';
import type { SnapshotService } from '../snapshot/snapshot-service';
import { SEED_READ_LIMIT, toSeedStatus } from '../snapshot/seed-compat';

/** `GET /api/settings/jobs/status`: recent jobs across all queues, sorted by state, plus counts and workers. */
export function statusRoutes(snapshots: SnapshotService): Hono {
  const app = new Hono();
  app.get('/', validate('query', StatusQuerySchema), async (c) => {
    const { compat, ...query } = c.req.valid('query');
    if (compat === 'seed') {
      const status = await snapshots.get({ ...query, limit: SEED_READ_LIMIT });
      return c.json(toSeedStatus(status), 200, { 'Cache-Control': 'no-store' });
    }
    const body = await snapshots.getJson(query);
    return c.body(body, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  });
  return app;
}
