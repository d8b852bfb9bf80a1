import { Hono } from 'hono';
import { z } from 'zod';
import {
  CleanRequestSchema,
  QUEUE_ACTIONS,
  RetryFailedRequestSchema,
  parseQueueKey,
  queueKey,
  type QueueAction,
  type QueueActionResponse,
} from '@jobscope/contract';
import { bodyOf, jsonBody } from '../http/json-body';
import { validate } from '../http/validate';
import type { QueueSelector, SourceRegistry } from '../sources/registry';
import type { QueueRef, SourceActions } from '../sources/source';
import type { Context } from 'hono';

const ACTION_MAX_BODY_BYTES = 4 * 1024;

/** `:queue` is a queue key `source:prefix:name`, or a bare name when only one source/prefix has it. */
const QueueParam = z.string().transform((key, ctx): QueueSelector => {
  const parsed = parseQueueKey(key);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return 'name' in parsed ? { name: parsed.name } : parsed.queue;
});

const ActionParams = z.object({
  queue: QueueParam,
  action: z.enum(QUEUE_ACTIONS, { error: `action must be one of ${QUEUE_ACTIONS.join(', ')}` }),
});

type Handler = (actions: SourceActions, queue: QueueRef, c: Context) => Promise<number>;

/** One handler per action; each resolves with how many jobs it touched. */
const HANDLERS: Record<QueueAction, Handler> = {
  pause: async (a, q, c) => (bodyOf(c, z.strictObject({})), await a.pause(q), 0),
  resume: async (a, q, c) => (bodyOf(c, z.strictObject({})), await a.resume(q), 0),
  'retry-failed': (a, q, c) => a.retryFailed(q, bodyOf(c, RetryFailedRequestSchema).limit),
  clean: (a, q, c) => a.clean(q, bodyOf(c, CleanRequestSchema)),
};

/** `POST /api/queues/:queue/{pause,resume,retry-failed,clean}` (mounted inside the guarded /api/queues group). */
export function queueActionRoutes(registry: SourceRegistry): Hono {
  const app = new Hono();
  // Only the known actions match; any other path under a queue is the app's JSON 404.
  app.post(
    `/:queue/:action{${QUEUE_ACTIONS.map((a) => a.replace('-', '\\-')).join('|')}}`,
    validate('param', ActionParams),
    jsonBody(ACTION_MAX_BODY_BYTES, { optional: true }),
    async (c) => {
      const { queue: selector, action } = c.req.valid('param');
      c.set('audit', { action: `queue.${action}`, target: `queue:${selector.name}` });
      const { source, queue } = await registry.resolveQueue(selector);
      c.set('audit', { action: `queue.${action}`, target: queueKey(queue) });
      const actions = registry.actionsFor(source, action);
      const touched = await HANDLERS[action](actions, queue, c);
      const reply: QueueActionResponse = {
        action,
        queue: { source: queue.source, prefix: queue.prefix, name: queue.name },
        touched,
        paused: await actions.isPaused(queue),
      };
      c.set('audit', { action: `queue.${action}`, target: queueKey(queue), detail: `touched ${touched}` });
      return c.json(reply, 200);
    }
  );
  return app;
}
