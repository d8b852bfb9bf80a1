import { Queue } from 'bullmq';
import type { RedisClient } from '../../redis/topology';
import { queueId } from './queue-set';

/**
 * BullMQ Queue objects for writes only, one per (prefix, queue), on the service's shared connection. Built so they
 * never write `meta` or run INFO as a side effect: a monitor must not change what it watches by looking.
 */
export class QueueCache {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly client: RedisClient) {}

  /** Throws while Redis is not connected: a Queue built then waits for 'ready' forever, hanging the request. */
  get(prefix: string, name: string): Queue {
    const k = queueId({ prefix, name });
    let queue = this.queues.get(k);
    if (!queue) {
      if (this.client.status !== 'ready') {
        throw new Error(`not connected to Redis (connection ${this.client.status})`);
      }
      queue = new Queue(name, {
        connection: this.client,
        prefix,
        skipMetasUpdate: true,
        skipVersionCheck: true,
      });
      // Errors surface on the calls themselves; without a listener an 'error' event would crash the process.
      queue.on('error', () => undefined);
      this.queues.set(k, queue);
    }
    return queue;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
