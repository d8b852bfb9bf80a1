import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { SEARCH_DEFAULT_WINDOW } from '@jobscope/contract';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { searchTextScript, SEARCH_JOBS_PER_CALL, SEARCH_MATCH_BYTES } from '../src/sources/bullmq/search';
import { keyBase } from '../src/sources/bullmq/queue-set';
import type { Service } from '../src/service';
import { startService } from './helpers/service';

/**
 * What one text-search script call costs at the default window over 20 queues, on a private redis-server (so the
 * measurement neither blocks nor is disturbed by other tests): 20 queues x (1,000 waiting + 1,000 delayed +
 * 1,000 prioritized) jobs with ~200-byte data and no match, so every job in the window is read. Prints the times;
 * asserts only loose bounds (shared machines are noisy). The service itself never sends such a call: it splits
 * queues so that one call reads at most SEARCH_JOBS_PER_CALL jobs.
 */

const PREFIX = 'jobscope-search-cost';
const QUEUES = Array.from({ length: 20 }, (_, i) => `cost-${String(i).padStart(2, '0')}`);
const PER_STATE = 1000;

let server: PrivateRedis;
let redis: Redis;
let service: Service;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = new Redis(server.connection);
  const padding = 'lorem ipsum dolor sit amet '.repeat(6);
  for (const name of QUEUES) {
    const queue = new Queue(name, { connection: server.connection, prefix: PREFIX });
    const jobs = Array.from({ length: PER_STATE * 3 }, (_, i) => ({
      name: `job-${i}`,
      data: { customer: `customer-${i}`, note: padding, n: i },
      opts: i % 3 === 1 ? { delay: 3_600_000 + i } : i % 3 === 2 ? { priority: 1 + (i % 50) } : {},
    }));
    for (let i = 0; i < jobs.length; i += 1000) {
      await queue.addBulk(jobs.slice(i, i + 1000));
    }
    await queue.close();
  }
  service = await startService({ REDIS_URL: server.url, JOBSCOPE_PREFIXES: PREFIX });
  await service.source.queueRegistry.refresh();
}, 120_000);

afterAll(async () => {
  await service?.close();
  redis?.disconnect();
  await server?.destroy();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

it('one script call at window 1,000 over 20 queues: time measured, every job in the window read', async () => {
  const keys = QUEUES.map((name) => keyBase({ prefix: PREFIX, name }));
  const run = () =>
    searchTextScript.run(service.redis, keys, ['no-such-text', SEARCH_DEFAULT_WINDOW, 50, '', 400, 2000, '', SEARCH_MATCH_BYTES]);
  await run(); // warm (EVALSHA loaded)
  const times: number[] = [];
  let read = 0;
  for (let i = 0; i < 3; i++) {
    const { ms, value } = await timed(run);
    times.push(ms);
    read = Number(value[0]);
  }
  expect(read).toBe(QUEUES.length * PER_STATE * 3);
  const slow = await redis.call('SLOWLOG', 'GET', 1);
  // eslint-disable-next-line no-console
  console.log(
    `search.lua, window ${SEARCH_DEFAULT_WINDOW} x 20 queues x 3 states (${read} jobs read, no hit): ` +
      `${times.map((t) => t.toFixed(0)).join(', ')} ms per call; slowlog head: ${JSON.stringify(slow).slice(0, 120)}`
  );
  expect(Math.min(...times)).toBeLessThan(10_000);
}, 60_000);

async function scriptCalls(): Promise<number> {
  const text = await redis.info('commandstats');
  return [...text.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[2]), 0);
}

it('the service splits the same search into calls of at most SEARCH_JOBS_PER_CALL jobs', async () => {
  await redis.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await redis.call('CONFIG', 'SET', 'slowlog-max-len', '1000');
  await redis.call('SLOWLOG', 'RESET');
  const before = await scriptCalls();
  const { ms, value } = await timed(() =>
    service.source.reads.search!({ q: 'no-such-text', queues: [], limit: 50, window: SEARCH_DEFAULT_WINDOW })
  );
  const calls = (await scriptCalls()) - before;
  expect(value.searched).toEqual({ jobs: QUEUES.length * PER_STATE * 3, window: SEARCH_DEFAULT_WINDOW, complete: true });
  // One id lookup for all 20 queues (the text is a plausible id), then per display group calls of at most
  // SEARCH_JOBS_PER_CALL jobs: 10 queues per call for the one-state groups (6 groups x 2 calls), 5 for wait + paused.
  expect(SEARCH_JOBS_PER_CALL).toBe(10_000);
  expect(calls).toBe(1 + 6 * 2 + 4);
  const log = (await redis.call('SLOWLOG', 'GET', '1000')) as Array<[number, number, number, string[]]>;
  const scriptMicros = log.filter((e) => /^eval/i.test(String(e[3][0]))).map((e) => Number(e[2]));
  await redis.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
  // eslint-disable-next-line no-console
  console.log(
    `search via the source: ${calls} script calls, ${ms.toFixed(0)} ms in all; longest call inside Redis ` +
      `${(Math.max(...scriptMicros) / 1000).toFixed(1)} ms`
  );
  const hit = await service.source.reads.search!({ q: 'CUSTOMER-2999', queues: [], limit: 50, window: SEARCH_DEFAULT_WINDOW });
  expect(hit.jobs.map((j) => j.queue)).toEqual(QUEUES);
  expect(hit.jobs.every((j) => j.name === 'job-2999')).toBe(true);
}, 60_000);
