import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema, type StatusResponse } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

/**
 * Filters (several queues, name, time range) and cursor pages of the status route, with BullMQ's getters as the
 * oracle. Pages are anchored on the last job, so new failures while paging neither repeat nor hide old ones.
 */

const connection = sharedConnection();
const prefix = testPrefix('pages');
const STATUS = '/api/settings/jobs/status';

let redis: Redis;
let service: Service;
const queues: Record<string, Queue> = {};

async function status(query: string): Promise<StatusResponse> {
  const res = await getJson(service, `${STATUS}?${query}`);
  expect([query, res.status]).toEqual([query, 200]);
  return StatusResponseSchema.parse(res.body);
}

/** Fails `n` jobs named `name` on `queue` through a real worker. */
async function fail(queue: string, n: number, name = 'bad', idPrefix = name): Promise<void> {
  const q = queues[queue];
  const before = await q.getFailedCount();
  await q.addBulk(Array.from({ length: n }, (_, i) => ({ name, data: { i }, opts: { jobId: `${idPrefix}-${Date.now()}-${i}` } })));
  const worker = new Worker(queue, async () => Promise.reject(new Error('nope')), { connection, prefix, concurrency: 50 });
  await waitFor(`${n} failures on ${queue}`, async () => (await q.getFailedCount()) === before + n, 30_000);
  await worker.close();
}

beforeAll(async () => {
  redis = new Redis(connection);
  for (const name of ['pa', 'pb', 'pc']) {
    queues[name] = new Queue(name, { connection, prefix });
  }
  await fail('pa', 600, 'bad-a');
  await fail('pb', 400, 'bad-b');
  await fail('pc', 5, 'bad-c');
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 60_000);

afterAll(async () => {
  await service?.close();
  await Promise.allSettled(Object.values(queues).map((q) => q.obliterate({ force: true }).finally(() => q.close())));
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

const key = (j: { queue: string; id: string }) => `${j.queue}/${j.id}`;

describe('cursor pages', () => {
  it('pages through 1,000 failed jobs of two queues while 100 more fail: every original exactly once', async () => {
    const originals = new Set<string>();
    for (const q of ['pa', 'pb']) {
      for (const job of await queues[q].getFailed(0, -1)) originals.add(`${q}/${job.id}`);
    }
    expect(originals.size).toBe(1000);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await status(`state=FAILURE&queue=pa,pb&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.jobs.map(key));
      cursor = page.nextCursor;
      pages++;
      if (pages <= 5) await fail(pages % 2 ? 'pa' : 'pb', 20, 'late');
    } while (cursor && pages < 20);
    expect(seen.length).toBe(new Set(seen).size);
    const missing = [...originals].filter((k) => !seen.includes(k));
    expect(missing).toEqual([]);
    // Newer failures that arrived while paging were not mixed into older pages.
    expect(seen.filter((k) => k.includes('/late-'))).toEqual([]);
  }, 90_000);

  it('pages through waiting and prioritized jobs (lists and a zset) while new jobs arrive: every original once', async () => {
    const q = new Queue('pw', { connection, prefix });
    queues.pw = q;
    await q.addBulk(Array.from({ length: 250 }, (_, i) => ({ name: 'w', data: {}, opts: { jobId: `w-${i}` } })));
    await q.addBulk(Array.from({ length: 150 }, (_, i) => ({ name: 'p', data: {}, opts: { jobId: `p-${i}`, priority: 1 + (i % 7) } })));
    await service.source.queueRegistry.refresh();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await status(`state=PENDING&queue=pw&limit=60${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
      pages++;
      await q.add('new', {}, { jobId: `new-${pages}` });
      await q.add('new-p', {}, { jobId: `newp-${pages}`, priority: 3 });
    } while (cursor && pages < 30);
    const originals = [...Array.from({ length: 250 }, (_, i) => `w-${i}`), ...Array.from({ length: 150 }, (_, i) => `p-${i}`)];
    expect(seen.length).toBe(new Set(seen).size);
    expect(originals.filter((id) => !seen.includes(id))).toEqual([]);
    expect(seen.filter((id) => id.startsWith('new-'))).toEqual([]);
  }, 30_000);

  it('answers the first page with a cursor only for single-state views', async () => {
    expect((await status('limit=5')).nextCursor).toBeNull();
    expect((await status('state=FAILURE&limit=5')).nextCursor).toEqual(expect.any(String));
  });

  it('refuses a cursor of another view with a 400', async () => {
    const { nextCursor } = await status('state=FAILURE&queue=pa&limit=5');
    const other = await getJson(service, `${STATUS}?state=FAILURE&queue=pb&limit=5&cursor=${nextCursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('another view');
    const tampered = await getJson(service, `${STATUS}?state=FAILURE&queue=pa&limit=5&cursor=${nextCursor!.slice(0, -3)}x`);
    expect(tampered.status).toBe(400);
  });
});

describe('filters', () => {
  it('queue=pa,pc lists exactly those queues\' jobs, newest failure first', async () => {
    const page = await status('state=FAILURE&queue=pa,pc&limit=200');
    expect(new Set(page.jobs.map((j) => j.queue))).toEqual(new Set(['pa', 'pc']));
    const finished = page.jobs.map((j) => j.finishedAtMs!);
    expect([...finished].sort((a, b) => b - a)).toEqual(finished);
    expect(page.filter).toMatchObject({ queue: 'pa,pc', queues: ['pa', 'pc'] });
  });

  it('name= keeps only jobs of that exact name (BullMQ as the oracle)', async () => {
    const page = await status('state=FAILURE&name=bad-c&limit=50');
    const oracle = (await queues.pc.getFailed(0, -1)).filter((j) => j.name === 'bad-c').map((j) => `pc/${j.id}`);
    expect(page.jobs.map(key).sort()).toEqual(oracle.sort());
    expect(page.complete).toBe(true);
  });

  it('from/to select failures by finish time (epoch ms and ISO), as BullMQ recorded it', async () => {
    const all = await queues.pb.getFailed(0, -1);
    const times = all.map((j) => j.finishedOn!).sort((a, b) => a - b);
    const from = times[100];
    const to = times[200];
    const expected = all.filter((j) => j.finishedOn! >= from && j.finishedOn! <= to).map((j) => `pb/${j.id}`);
    const page = await status(`state=FAILURE&queue=pb&limit=200&from=${from}&to=${new Date(to).toISOString()}`);
    expect(page.jobs.map(key).sort()).toEqual(expected.sort());
    expect(page.filter).toMatchObject({ fromMs: from, toMs: to });
  });

  it('from/to select waiting jobs by creation time', async () => {
    const q = queues.pc;
    await q.add('w-old', {}, { jobId: 'w-old', timestamp: 1_000 } as never);
    await q.add('w-new', {}, { jobId: 'w-new' });
    const page = await status(`state=PENDING&queue=pc&from=${Date.now() - 60_000}`);
    expect(page.jobs.map((j) => j.id)).toEqual(['w-new']);
  });
});
