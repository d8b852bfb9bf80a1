/**
 * `npm run bench:actions`: how long BullMQ's batched calls behind retry-failed and clean block Redis per call, on a
 * private redis-server (nothing else runs there). Prints per-call Redis time (INFO commandstats) for batch sizes 100,
 * 1,000 (what the service uses) and 5,000, over 10,000 jobs each, and the ratios between them; then the service's own
 * retryFailed / clean of 10,000 jobs end to end. Figures, not a pass/fail test.
 */
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { ACTION_BATCH, BullMQActions } from '../src/sources/bullmq/actions';
import { QueueCache } from '../src/sources/bullmq/queue-cache';

const JOBS = Number(process.env.BENCH_ACTION_JOBS ?? 10_000);
const BATCHES = [100, ACTION_BATCH, 5000];
const PREFIX = 'bench';

async function scriptUsec(redis: Redis): Promise<{ calls: number; usec: number }> {
  const text = (await redis.info('commandstats')) as string;
  let calls = 0;
  let usec = 0;
  for (const m of text.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)) {
    calls += Number(m[1]);
    usec += Number(m[2]);
  }
  return { calls, usec };
}

async function finishedJobs(queue: Queue, connection: { host: string; port: number }, fail: boolean): Promise<void> {
  for (let i = 0; i < JOBS; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({ name: 'j', data: { i: i + j } })));
  }
  const worker = new Worker(queue.name, async () => (fail ? Promise.reject(new Error('bench')) : 'ok'), {
    connection,
    prefix: PREFIX,
    concurrency: 200,
  });
  for (;;) {
    const n = fail ? await queue.getFailedCount() : await queue.getCompletedCount();
    if (n >= JOBS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await worker.close();
}

interface Row {
  what: string;
  batch: number;
  calls: number;
  maxMs: number;
  meanMs: number;
  perJobUs: number;
}

async function main(): Promise<void> {
  const server = await PrivateRedis.start();
  const redis = new Redis(server.connection);
  const rows: Row[] = [];
  try {
    for (const what of ['retry-failed', 'clean'] as const) {
      for (const batch of BATCHES) {
        const queue = new Queue(`b-${what}-${batch}`, { connection: server.connection, prefix: PREFIX });
        await finishedJobs(queue, server.connection, what === 'retry-failed');
        const backend = queue.getBackend() as unknown as {
          retryFinishedJobs(state: 'failed', count: number, ts: number): Promise<number>;
        };
        const until = Date.now();
        const perCall: number[] = [];
        for (let done = 0; done < JOBS; done += batch) {
          const before = await scriptUsec(redis);
          if (what === 'retry-failed') {
            await backend.retryFinishedJobs('failed', batch, until);
          } else {
            await queue.clean(0, batch, 'completed');
          }
          const after = await scriptUsec(redis);
          perCall.push((after.usec - before.usec) / 1000);
        }
        const total = perCall.reduce((a, b) => a + b, 0);
        rows.push({
          what,
          batch,
          calls: perCall.length,
          maxMs: Math.max(...perCall),
          meanMs: total / perCall.length,
          perJobUs: (total * 1000) / JOBS,
        });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    }

    // The service's own calls, end to end (batches of ACTION_BATCH).
    const cache = new QueueCache(redis);
    const actions = new BullMQActions(redis, cache);
    const ref = { source: 'bullmq', prefix: PREFIX, name: 'b-service' };
    const queue = new Queue(ref.name, { connection: server.connection, prefix: PREFIX });
    await finishedJobs(queue, server.connection, true);
    let t = performance.now();
    const retried = await actions.retryFailed(ref, JOBS);
    const retryMs = performance.now() - t;
    await queue.obliterate({ force: true });
    await finishedJobs(queue, server.connection, false);
    t = performance.now();
    const cleaned = await actions.clean(ref, { state: 'SUCCESS', olderThanMs: 0, limit: JOBS });
    const cleanMs = performance.now() - t;
    await queue.obliterate({ force: true });
    await queue.close();
    await actions.close();
    await cache.closeAll();

    console.log(`\nRedis time per BullMQ call, ${JOBS.toLocaleString('en')} jobs each (private redis-server):\n`);
    console.log('| action | jobs per call | calls | max ms / call | mean ms / call | µs / job |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.what} | ${r.batch} | ${r.calls} | ${r.maxMs.toFixed(2)} | ${r.meanMs.toFixed(2)} | ${r.perJobUs.toFixed(1)} |`);
    }
    for (const what of ['retry-failed', 'clean']) {
      const of = (b: number) => rows.find((r) => r.what === what && r.batch === b)!;
      console.log(
        `${what}: max per call ${ACTION_BATCH} / 100 = ${(of(ACTION_BATCH).maxMs / of(100).maxMs).toFixed(1)}×, ` +
          `5000 / ${ACTION_BATCH} = ${(of(5000).maxMs / of(ACTION_BATCH).maxMs).toFixed(1)}× (blocking grows with the batch)`
      );
    }
    console.log(`\nservice retryFailed(${JOBS}): ${retried} retried in ${retryMs.toFixed(0)} ms; clean(${JOBS}): ${cleaned} removed in ${cleanMs.toFixed(0)} ms`);
  } finally {
    redis.disconnect();
    await server.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
