import { Hono } from 'hono';
import { JobLogQuerySchema, type JobLogPageResponse } from '@jobscope/contract';
import { ApiError } from '../http/errors';
import { validate } from '../http/validate';
import type { SourceRegistry } from '../sources/registry';
import { JobKeyParams } from '../http/job-key-param';

/**
 * `GET /:jobKey/logs?offset=&limit=`: a page of the job's log lines, oldest first (mounted under `/api/jobs`).
 * 404 `job_not_found` when the job does not exist, 405 `not_supported` when its source keeps no logs.
 */
export function jobLogRoutes(registry: SourceRegistry): Hono {
  const app = new Hono();
  app.get(
    '/:jobKey/logs',
    validate('param', JobKeyParams, 'invalid_job_key'),
    validate('query', JobLogQuerySchema, 'invalid_query'),
    async (c) => {
      const { jobKey: ref } = c.req.valid('param');
      const page = c.req.valid('query');
      const source = await registry.resolveJob(ref);
      if (!source.reads.logs) {
        throw new ApiError(405, 'not_supported', `source "${source.id}" cannot read logs`);
      }
      const logs = await source.reads.logs(ref, page);
      if (!logs) {
        throw new ApiError(404, 'job_not_found', `no job "${ref.id}" in queue "${ref.queue}" (prefix "${ref.prefix}")`);
      }
      c.header('Cache-Control', 'no-store');
      const reply: JobLogPageResponse = logs;
      return c.json(reply, 200);
    }
  );
  return app;
}
