import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema, type JobSummary } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

/**
 * More jobs than the limit, spread over several queues: the reply must be the true top N of each state across all
 * queues (checked against every job BullMQ lists), not just the top of each queue or a sample.
 */

const connection = sharedConnection();
const prefix = testPrefix('scale');
const NAMES = ['scale-a', 'scale-b', 'scale-c'];
const PER_QUEUE = 100;

let redis: Redis;
let service: Service;
const queues: Queue[] = [];
const key = (j: { queue: string; id: string }) => `${j.queue}/${j.id}`;

/** Every job BullMQ has in these states, with the queue it is in. */
async function oracle(types: Array<'completed' | 'failed' | 'wait' | 'prioritized' | 'delayed'>) {
  const all: Array<{ queue: string; id: string; job: Job }> = [];
  for (const q of queues) {
    for (const job of await q.getJobs(types)) {
      all.push({ queue: q.name, id: job.id!, job });
    }
  }
  return all;
}

/**
 * `listed` is the first part of the whole population ordered by `rank` (smaller first): ranks never go down in the
 * list, and nothing left out ranks before the last one listed.
 */
function expectTopN<T extends { queue: string; id: string }>(listed: JobSummary[], population: T[], rank: (t: T) => number, n: number) {
  const byKey = new Map(population.map((p) => [key(p), p]));
  const ranks = listed.map((j) => {
    const p = byKey.get(key(j));
    expect(p).toBeDefined();
    return rank(p!);
  });
  expect(listed).toHaveLength(Math.min(n, population.length));
  expect(new Set(listed.map(key)).size).toBe(listed.length);
  for (let i = 1; i < ranks.length; i++) {
    expect(ranks[i]).toBeGreaterThanOrEqual(ranks[i - 1]);
  }
  const listedKeys = new Set(listed.map(key));
  const last = ranks[ranks.length - 1];
  const better = population.filter((p) => !listedKeys.has(key(p)) && rank(p) < last);
  expect(better.map(key)).toEqual([]);
}

async function status(query: string): Promise<JobSummary[]> {
  const res = await getJson(service, `/api/settings/jobs/status${query}`);
  expect(res.status).toBe(200);
  return StatusResponseSchema.parse(res.body).jobs;
}

beforeAll(async () => {
  redis = new Redis(connection);
  for (const name of NAMES) {
    queues.push(new Queue(name, { connection, prefix }));
  }
  // Finished jobs first, with workers that are closed before the pending jobs arrive.
  const workers = NAMES.map(
    (name) =>
      new Worker(
        name,
        async (job) => {
          if (job.data.fail) {
            throw new Error(`failed ${job.id}`);
          }
          return job.id;
        },
        { connection, prefix, concurrency: 10 }
      )
  );
  await Promise.all(
    queues.map((q) => q.addBulk(Array.from({ length: PER_QUEUE }, (_, i) => ({ name: `done-${i}`, data: { fail: i % 3 === 0 } }))))
  );
  await waitFor(
    'all finished',
    async () => {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('completed', 'failed')));
      return counts.every((c) => c.completed + c.failed === PER_QUEUE);
    },
    15_000
  );
  await Promise.all(workers.map((w) => w.close()));

  const [a, b, c] = queues;
  await a.addBulk(Array.from({ length: PER_QUEUE }, (_, i) => ({ name: `wait-${i}`, data: {} })));
  for (const q of [b, c]) {
    await q.addBulk(Array.from({ length: PER_QUEUE }, (_, i) => ({ name: `prio-${i}`, data: {}, opts: { priority: 1 + ((i * 7) % 10) } })));
  }
  for (const q of queues) {
    await q.addBulk(
      Array.from({ length: PER_QUEUE }, (_, i) => ({ name: `delay-${i}`, data: {}, opts: { delay: 10_000 + ((i * 7919) % 90_000) } }))
    );
  }
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 25_000);

afterAll(async () => {
  await service?.close();
  await Promise.allSettled(queues.map((q) => q.obliterate({ force: true }).finally(() => q.close())));
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

it('SUCCESS: the latest finished across all queues', async () => {
  const listed = await status('?state=SUCCESS&limit=150');
  expectTopN(listed, await oracle(['completed']), (p) => -p.job.finishedOn!, 150);
});

it('FAILURE: the latest finished across all queues', async () => {
  const listed = await status('?state=FAILURE&limit=40');
  expectTopN(listed, await oracle(['failed']), (p) => -p.job.finishedOn!, 40);
});

it('DELAYED: the soonest due across all queues', async () => {
  const listed = await status('?state=DELAYED&limit=200');
  expectTopN(listed, await oracle(['delayed']), (p) => p.job.timestamp + p.job.delay, 200);
});

it('PENDING: every waiting job (newest first), then the prioritized ones that run next', async () => {
  const listed = await status('?state=PENDING&limit=200');
  const waiting = listed.slice(0, PER_QUEUE);
  expect(waiting.every((j) => j.nativeState === 'wait')).toBe(true);
  expectTopN(waiting, await oracle(['wait']), (p) => -p.job.timestamp, PER_QUEUE);
  const prioritized = listed.slice(PER_QUEUE);
  expect(prioritized.every((j) => j.nativeState === 'prioritized')).toBe(true);
  expectTopN(prioritized, await oracle(['prioritized']), (p) => p.job.priority, 200 - PER_QUEUE);
});

it('no filter, default limit: the 20 newest waiting jobs', async () => {
  const listed = await status('');
  expectTopN(listed, await oracle(['wait']), (p) => -p.job.timestamp, 20);
});
