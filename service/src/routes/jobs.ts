import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ENQUEUE_MAX_BODY_BYTES, EnqueueRequestSchema } from '@jobscope/contract';
import { ApiError, sendError, unknownQueue, validationError } from '../http/errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../http/json-depth';
import { redisErrorText } from '../http/redis-error-text';
import { UnknownQueueError, type JobSource } from '../sources/source';
import { errorMessage } from '../redis/probe';

/** `POST /api/jobs`: adds a job to a known queue. Nothing is written unless the whole request is valid. */
export function jobRoutes(source: JobSource): Hono {
  const app = new Hono();
  app.post(
    '/',
    bodyLimit({
      maxSize: ENQUEUE_MAX_BODY_BYTES,
      onError: (c) =>
        sendError(c, 413, 'body_too_large', `request body is larger than ${ENQUEUE_MAX_BODY_BYTES} bytes`),
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^application\/json\b/i.test(type)) {
        throw new ApiError(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json)');
      }
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch (err) {
        throw new ApiError(400, 'invalid_json', `request body is not valid JSON: ${errorMessage(err)}`);
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
        throw new ApiError(400, 'invalid_body', `request body must be a JSON object like {"queue", "name"}, got ${got}`);
      }
      if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
        throw new ApiError(400, 'invalid_body', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
      }
      const parsed = EnqueueRequestSchema.safeParse(body);
      if (!parsed.success) {
        throw validationError('invalid_body', parsed.error);
      }
      try {
        return c.json(await source.enqueue(parsed.data), 201);
      } catch (err) {
        if (err instanceof UnknownQueueError) {
          throw unknownQueue(err.queue, err.known);
        }
        if (/Command timed out/i.test(errorMessage(err))) {
          // The command was sent: Redis may still run it when it wakes up, so say the outcome is unknown.
          throw new ApiError(
            504,
            'redis_timeout',
            'Redis did not answer in time: the job may or may not have been added; check before retrying'
          );
        }
        throw new ApiError(503, 'redis_unavailable', `could not add the job: ${redisErrorText(err)}`);
      }
    }
  );
  return app;
}
