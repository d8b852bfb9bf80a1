import type Redis from 'ioredis';
import { CeleryKeys, PRIORITY_STEPS } from './keys';
import { parseTaskMessage, type TaskMessage } from './protocol';

export interface QueueBacklog {
  queue: string;
  /** Messages in the broker lists (all priority steps): tasks no worker has taken yet. */
  length: number;
  /** The next `peek` messages, next first. */
  next: TaskMessage[];
  /** Id of the next message to be taken, for the age estimate. */
  headId: string | null;
}

/**
 * The broker side of a Celery queue: kombu's lists (one per priority step; workers BRPOP them in step order, so the
 * tail of the first non-empty list is next). One pipeline per read: LLEN and the last `peek` elements of each list.
 */
export async function readBacklogs(redis: Redis, keys: CeleryKeys, queues: string[], peek: number): Promise<QueueBacklog[]> {
  if (queues.length === 0) {
    return [];
  }
  const pipeline = redis.pipeline();
  for (const q of queues) {
    for (const list of keys.queueLists(q)) {
      pipeline.llen(list);
      if (peek > 0) {
        pipeline.lrange(list, -peek, -1);
      } else {
        pipeline.lrange(list, -1, -1);
      }
    }
  }
  const replies = (await pipeline.exec()) ?? [];
  const steps = PRIORITY_STEPS.length;
  return queues.map((queue, qi) => {
    let length = 0;
    const next: TaskMessage[] = [];
    let headId: string | null = null;
    for (let s = 0; s < steps; s++) {
      const base = (qi * steps + s) * 2;
      const [lenErr, len] = replies[base] ?? [];
      const [rangeErr, range] = replies[base + 1] ?? [];
      if (lenErr || rangeErr) {
        throw lenErr ?? rangeErr;
      }
      length += Number(len ?? 0);
      const raw = (range as string[] | undefined) ?? [];
      // Tail first: the element at -1 is taken next.
      for (let i = raw.length - 1; i >= 0; i--) {
        const message = parseTaskMessage(raw[i]);
        if (message) {
          headId ??= message.id;
          if (next.length < peek) {
            next.push(message);
          }
        }
      }
    }
    return { queue, length, next, headId };
  });
}

/** Queue names bound to the default exchange (kombu's `_kombu.binding.<exchange>` set): one SMEMBERS. */
export async function readBoundQueues(redis: Redis, keys: CeleryKeys): Promise<string[]> {
  const members = await redis.smembers(keys.binding());
  return members.map((m) => CeleryKeys.queueOfBinding(m)).filter((q): q is string => q !== null);
}

/** Finds a message by task id among the last `window` of each list of a queue (a bounded read). */
export async function findQueuedMessage(
  redis: Redis,
  keys: CeleryKeys,
  queue: string,
  id: string,
  window: number
): Promise<TaskMessage | null> {
  const pipeline = redis.pipeline();
  for (const list of keys.queueLists(queue)) {
    pipeline.lrange(list, -window, -1);
  }
  for (const [err, raw] of (await pipeline.exec()) ?? []) {
    if (err) {
      throw err;
    }
    for (const element of raw as string[]) {
      if (element.includes(id)) {
        const message = parseTaskMessage(element);
        if (message?.id === id) {
          return message;
        }
      }
    }
  }
  return null;
}
