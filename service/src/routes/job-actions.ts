import { Hono } from 'hono';
import { z } from 'zod';
import {
  CancelRequestSchema,
  JOB_ACTIONS,
  JobSummarySchema,
  type JobAction,
  type JobActionResponse,
  jobKey,
  type JobRef,
} from '@jobscope/contract';
import { bodyOf, jsonBody } from '../http/json-body';
import { validate } from '../http/validate';
import { JobKeyParam } from '../http/job-key-param';
import type { SourceRegistry } from '../sources/registry';
import type { SourceActions } from '../sources/source';

/** Small bodies only (a cancel reason). */
const ACTION_MAX_BODY_BYTES = 4 * 1024;

const ActionParams = z.object({
  jobKey: JobKeyParam,
  action: z.enum(JOB_ACTIONS, { error: `action must be one of ${JOB_ACTIONS.join(', ')}` }),
});

type Handler = (actions: SourceActions, ref: JobRef, body: unknown) => Promise<{ status: 200 | 202; delivered?: number }>;

/** One handler per action; state checks are the source's (atomic in BullMQ's scripts). */
const HANDLERS: Record<JobAction, Handler> = {
  retry: async (a, ref) => (await a.retry(ref), { status: 200 }),
  remove: async (a, ref) => (await a.remove(ref), { status: 200 }),
  promote: async (a, ref) => (await a.promote(ref), { status: 200 }),
  cancel: async (a, ref, body) => {
    const { reason } = CancelRequestSchema.parse(body);
    return { status: 202, delivered: await a.cancel(ref, reason ?? 'cancelled from jobscope') };
  },
};

/** `POST /api/jobs/:jobKey/{retry,remove,promote,cancel}` (mounted inside the guarded /api/jobs group). */
export function jobActionRoutes(registry: SourceRegistry): Hono {
  const app = new Hono();
  // Only the known actions match; any other path under a job is the app's JSON 404.
  app.post(
    `/:jobKey/:action{${JOB_ACTIONS.join('|')}}`,
    validate('param', ActionParams, 'invalid_job_key'),
    jsonBody(ACTION_MAX_BODY_BYTES, { optional: true }),
    async (c) => {
      const { jobKey: ref, action } = c.req.valid('param');
      c.set('audit', { action: `job.${action}`, target: jobKey(ref) });
      const body = action === 'cancel' ? bodyOf(c, CancelRequestSchema) : bodyOf(c, z.strictObject({}));
      const source = await registry.resolveJob(ref);
      const actions = registry.actionsFor(source, action);
      const { status, delivered } = await HANDLERS[action](actions, ref, body);
      const after = action === 'remove' ? null : await source.reads.job(ref);
      const reply: JobActionResponse = {
        action,
        job: after ? JobSummarySchema.parse(after) : null,
        ...(delivered === undefined ? {} : { delivered }),
      };
      return c.json(reply, status);
    }
  );
  return app;
}
