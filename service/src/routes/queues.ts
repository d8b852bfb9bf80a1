import { Hono } from 'hono';
import type { SourceRegistry } from '../sources/registry';
import { queueActionRoutes } from './queue-actions';

/**
 * `/api/queues`: `GET /` lists every known queue with its source and prefix (from memory; no Redis read);
 * `POST /:queue/<action>` acts on one (queue-actions.ts).
 */
export function queueRoutes(registry: SourceRegistry): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    await registry.ready();
    c.header('Cache-Control', 'no-store');
    return c.json({ queues: registry.listQueues() }, 200);
  });
  app.route('/', queueActionRoutes(registry));
  return app;
}
