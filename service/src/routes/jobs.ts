import { Hono } from 'hono';
import { ENQUEUE_MAX_BODY_BYTES, EnqueueRequestSchema } from '@jobscope/contract';
import { ApiError } from '../http/errors';
import { jsonBody } from '../http/json-body';
import { validate } from '../http/validate';
import type { SourceRegistry } from '../sources/registry';
import { jobActionRoutes } from './job-actions';
import { JobKeyParams } from '../http/job-key-param';
import { jobLogRoutes } from './job-logs';
import { searchRoutes } from './search';
import { exportRoutes } from './export';
import type { SnapshotService } from '../snapshot/snapshot-service';

/**
 * `/api/jobs`: `POST /` adds a job (nothing is written unless the whole request is valid); `GET /:jobKey` reads one;
 * `POST /:jobKey/<action>` acts on one (job-actions.ts).
 * The group's token guard is mounted by the app before these routes.
 */
export function jobRoutes(registry: SourceRegistry, snapshots: SnapshotService): Hono {
  const app = new Hono();

  app.post('/', jsonBody(ENQUEUE_MAX_BODY_BYTES), validate('json', EnqueueRequestSchema), async (c) => {
    const request = c.req.valid('json');
    c.set('audit', { action: 'job.enqueue', target: `queue:${request.queue}` });
    const { source, queue } = await registry.resolveQueue({
      name: request.queue,
      prefix: request.prefix,
      source: request.source,
    });
    return c.json(await registry.capability(source, 'enqueue').add(queue, request), 201);
  });

  // Before `/:jobKey`, which would otherwise take "search" for a job key.
  app.route('/search', searchRoutes(registry));
  app.route('/export', exportRoutes(snapshots));
  app.route('/', jobLogRoutes(registry));

  app.get('/:jobKey', validate('param', JobKeyParams, 'invalid_job_key'), async (c) => {
    const { jobKey: ref } = c.req.valid('param');
    const source = await registry.resolveJob(ref);
    const job = await source.reads.job(ref);
    if (!job) {
      throw new ApiError(404, 'job_not_found', `no job "${ref.id}" in queue "${ref.queue}" (prefix "${ref.prefix}")`);
    }
    c.header('Cache-Control', 'no-store');
    return c.json(job, 200);
  });

  app.route('/', jobActionRoutes(registry));
  return app;
}
