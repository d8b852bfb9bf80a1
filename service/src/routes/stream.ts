import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { StatusQuerySchema } from '@jobscope/contract';
import { ApiError } from '../http/errors';
import { validate } from '../http/validate';
import { StreamLimitError, type StreamEvent, type StreamHub } from '../stream/stream-hub';

/** Comment lines keep idle streams open through proxies that cut silent connections. */
const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting (EventSource's `retry`). */
const RETRY_MS = 2000;

/**
 * `GET /api/settings/jobs/stream?<the status route's filters>`: Server-Sent Events. `snapshot` (the status payload)
 * at once and whenever it changes, at most once per interval; `stale` when Redis goes away, then a fresh snapshot
 * when it is back; a `: heartbeat` comment every 15 s. Ids increase across the service.
 */
export function streamRoutes(hub: StreamHub, opts: { heartbeatMs?: number } = {}): Hono {
  const app = new Hono();
  app.get('/', validate('query', StatusQuerySchema), (c) => {
    const query = c.req.valid('query');
    if (query.cursor !== undefined) {
      throw new ApiError(400, 'invalid_query', 'cursor: a stream follows the first page of a view, not a later one');
    }
    // Subscribing before the stream starts lets the cap answer 503 JSON instead of a broken stream.
    const queue: StreamEvent[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    let unsubscribe: () => void;
    try {
      unsubscribe = hub.subscribe(
        query,
        (event) => {
          queue.push(event);
          wake?.();
        },
        () => {
          ended = true;
          wake?.();
        }
      );
    } catch (err) {
      if (err instanceof StreamLimitError) {
        throw new ApiError(503, 'too_many_streams', err.message);
      }
      throw err;
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(
      c,
      async (stream) => {
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          unsubscribe();
          wake?.();
        });
        let lastWrite = Date.now();
        let first = true;
        const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
        while (!closed && !ended) {
          const event = queue.shift();
          if (event) {
            // Only the newest snapshot matters to a slow client: skip the ones already replaced.
            if (event.type === 'snapshot' && queue.some((e) => e.type === 'snapshot')) {
              continue;
            }
            await stream.writeSSE({
              event: event.type,
              id: String(event.id),
              data: event.json,
              ...(first ? { retry: RETRY_MS } : {}),
            });
            first = false;
            lastWrite = Date.now();
            continue;
          }
          await new Promise<void>((resolve) => {
            if (closed || ended || queue.length > 0) {
              return resolve();
            }
            const timer = setTimeout(resolve, Math.max(0, heartbeatMs - (Date.now() - lastWrite)));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
          if (!closed && !ended && queue.length === 0 && Date.now() - lastWrite >= heartbeatMs) {
            await stream.write(': heartbeat\n\n');
            lastWrite = Date.now();
          }
        }
        unsubscribe();
      },
      async () => {
        unsubscribe();
      }
    );
  });
  return app;
}
