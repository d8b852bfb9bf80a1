// Real BullMQ producers and workers for the test's own prefix, closed (forcefully if Redis is gone) at the end.
import { FlowProducer, type Processor, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

export interface BullmqKit {
  queue(name: string): Queue;
  worker(name: string, processor: Processor, opts?: { concurrency?: number }): Worker;
  /** One FlowProducer for the prefix (parent and children jobs added atomically). */
  flows(): FlowProducer;
  close(): Promise<void>;
}

export function bullmqKit(redisUrl: string, prefix: string): BullmqKit {
  const connections: IORedis[] = [];
  const queues = new Map<string, Queue>();
  const workers: Worker[] = [];
  let flowProducer: FlowProducer | undefined;
  const connection = () => {
    // Workers need maxRetriesPerRequest: null; errors while Redis is stopped on purpose are expected.
    const c = new IORedis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: () => 200 });
    c.on('error', () => undefined);
    connections.push(c);
    return c;
  };
  return {
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection: connection(), prefix });
        q.on('error', () => undefined);
        queues.set(name, q);
      }
      return q;
    },
    worker(name, processor, opts = {}) {
      const w = new Worker(name, processor, { connection: connection(), prefix, concurrency: opts.concurrency ?? 2, name: `e2e-${name}` });
      w.on('error', () => undefined);
      workers.push(w);
      return w;
    },
    flows() {
      if (!flowProducer) {
        flowProducer = new FlowProducer({ connection: connection(), prefix });
        flowProducer.on('error', () => undefined);
      }
      return flowProducer;
    },
    async close() {
      const withTimeout = async (p: Promise<unknown>) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 3000)))]);
        clearTimeout(timer);
      };
      await Promise.all(workers.map((w) => withTimeout(w.close(true))));
      await Promise.all([...queues.values()].map((q) => withTimeout(q.close())));
      if (flowProducer) {
        await withTimeout(flowProducer.close());
      }
      for (const c of connections) {
        c.disconnect();
      }
    },
  };
}
