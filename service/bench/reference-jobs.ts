import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { recordFromHash, type FinishedJobRecord } from './job-records';

/** Options every bench job uses; the generated history copies `opts` text from real jobs added with these. */
export const BENCH_JOB_OPTS = { attempts: 3, backoff: { type: 'fixed', delay: 20 } } as const;
export const REFERENCE_QUEUE = 'reference';
export const BENCH_WORKER_NAME = 'bench-worker';

export interface ReferenceJob {
  id: string;
  hash: Record<string, string>;
  record: FinishedJobRecord;
}

export interface ReferenceJobs {
  queue: string;
  completed: ReferenceJob;
  failed: ReferenceJob;
}

/**
 * Runs a real BullMQ Worker on `<prefix>:reference` until one job has completed and one has failed all its attempts,
 * and returns their hashes: the ground truth the generator is checked against.
 */
export async function makeReferenceJobs(connection: Redis, prefix: string, timeoutMs = 15_000): Promise<ReferenceJobs> {
  const queue = new Queue(REFERENCE_QUEUE, { connection, prefix });
  queue.on('error', () => undefined);
  const worker = new Worker(
    REFERENCE_QUEUE,
    async (job) => {
      if (job.name === 'charge-card') {
        throw new Error(`card declined for order ${String((job.data as { orderId: number }).orderId)}`);
      }
      return { delivered: true, messageId: `msg-${job.id}` };
    },
    { connection, prefix, name: BENCH_WORKER_NAME, concurrency: 2 }
  );
  worker.on('error', () => undefined);
  try {
    const ok = await queue.add('send-email', { to: 'user1@example.com', template: 'welcome' }, BENCH_JOB_OPTS);
    const bad = await queue.add('charge-card', { orderId: 4711, amountCents: 1999 }, BENCH_JOB_OPTS);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [done, failed] = await Promise.all([
        connection.zscore(`${prefix}:${REFERENCE_QUEUE}:completed`, ok.id!),
        connection.zscore(`${prefix}:${REFERENCE_QUEUE}:failed`, bad.id!),
      ]);
      if (done !== null && failed !== null) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`reference jobs did not finish within ${timeoutMs} ms (completed: ${done}, failed: ${failed})`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const read = async (id: string, state: 'completed' | 'failed'): Promise<ReferenceJob> => {
      const hash = await connection.hgetall(`${prefix}:${REFERENCE_QUEUE}:${id}`);
      return { id, hash, record: recordFromHash(hash, state) };
    };
    return { queue: REFERENCE_QUEUE, completed: await read(ok.id!, 'completed'), failed: await read(bad.id!, 'failed') };
  } finally {
    await worker.close();
    await queue.close();
  }
}
