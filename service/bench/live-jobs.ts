import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { BENCH_JOB_OPTS, BENCH_WORKER_NAME } from './reference-jobs';

export interface LiveJobOptions {
  waiting: number;
  prioritized: number;
  delayed: number;
  /** Queues (the first ones) that get a Worker; each holds `concurrency` jobs active. */
  workerQueues: number;
  concurrency: number;
}

export interface LiveCounts {
  active: number;
  waiting: number;
  prioritized: number;
  delayed: number;
}

export function expectedLiveCounts(opts: LiveJobOptions, queueIndex: number): LiveCounts {
  const active = queueIndex < opts.workerQueues ? Math.min(opts.concurrency, opts.waiting + opts.prioritized) : 0;
  const fromWait = Math.min(active, opts.waiting);
  return {
    active,
    waiting: opts.waiting - fromWait,
    prioritized: opts.prioritized - (active - fromWait),
    delayed: opts.delayed,
  };
}

/** Real `Queue.add` calls: waiting, prioritized (priority 1..5) and delayed (due in an hour or more) jobs. */
export async function addLiveJobs(connection: Redis, prefix: string, queues: string[], opts: LiveJobOptions): Promise<void> {
  await Promise.all(
    queues.map(async (name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on('error', () => undefined);
      try {
        const adds: Array<Promise<unknown>> = [];
        for (let i = 0; i < opts.waiting; i++) {
          adds.push(queue.add('send-email', { to: `live${i}@example.com`, template: 'welcome' }, BENCH_JOB_OPTS));
        }
        for (let i = 0; i < opts.prioritized; i++) {
          adds.push(queue.add('resize-image', { imageId: i }, { ...BENCH_JOB_OPTS, priority: 1 + (i % 5) }));
        }
        for (let i = 0; i < opts.delayed; i++) {
          adds.push(queue.add('sync-account', { accountId: i }, { ...BENCH_JOB_OPTS, delay: 3_600_000 + i * 60_000 }));
        }
        await Promise.all(adds);
      } finally {
        await queue.close();
      }
    })
  );
}

export interface RunningWorkers {
  close(): Promise<void>;
}

/**
 * Real Workers whose jobs never finish, so their jobs stay active (locks renewed by the Worker) for the whole run.
 * Resolves once every worker holds its jobs.
 */
export async function startHangingWorkers(
  connection: Redis,
  prefix: string,
  queues: string[],
  opts: LiveJobOptions,
  timeoutMs = 15_000
): Promise<RunningWorkers> {
  const workers = queues.slice(0, opts.workerQueues).map((name) => {
    const worker = new Worker(name, () => new Promise<never>(() => undefined), {
      connection,
      prefix,
      name: BENCH_WORKER_NAME,
      concurrency: opts.concurrency,
    });
    worker.on('error', () => undefined);
    return worker;
  });
  const closeAll = async () => {
    // force: the hanging jobs never finish, so do not wait for them.
    await Promise.allSettled(workers.map((w) => w.close(true)));
  };
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const actives = await Promise.all(
        queues.slice(0, opts.workerQueues).map((name) => connection.llen(`${prefix}:${name}:active`))
      );
      const missing = actives.filter((n, i) => n < expectedLiveCounts(opts, i).active).length;
      if (missing === 0) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`workers did not pick up their jobs within ${timeoutMs} ms (${missing} queues short)`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { close: closeAll };
}
