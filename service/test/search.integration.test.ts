import { Job, Queue, Worker, type JobType } from 'bullmq';
import Redis from 'ioredis';
import { API_PATHS, jobKey, jobPath, SearchResponseSchema, type JobSummary, type SearchResponse } from '@jobscope/contract';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix } from './helpers/prefix';
import { MemorySource } from './helpers/memory-source';
import { getJson, sharedConnection, startService } from './helpers/service';
import { startMonitor } from './helpers/monitor';
import { sleep, waitFor } from './helpers/wait';

/**
 * `GET /api/jobs/search` on real BullMQ queues under two prefixes, checked against BullMQ's own API: the jobs found
 * are exactly those `Queue.getJobs` + a substring test find (or `Job.fromId` for ids), in the snapshot's display
 * order after the id matches. A second part (private redis-server) proves search and log reads send only read
 * commands.
 */

const connection = sharedConnection();
const P1 = testPrefix('search');
const P2 = testPrefix('search2');
const ALL_TYPES: JobType[] = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'];
const FILLERS = 30;

let redis: Redis;
let service: Service;
let orders1: Queue;
let mail1: Queue;
let orders2: Queue;
let queues: Queue[];

async function search(query: string): Promise<SearchResponse> {
  const res = await getJson(service, `${API_PATHS.search}?${query}`);
  if (res.status !== 200) {
    throw new Error(`search ${query}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(res.headers.get('cache-control')).toBe('no-store');
  return SearchResponseSchema.parse(res.body);
}

const keyOf = (j: { source?: string; prefix: string; queue: string; id: string }) =>
  jobKey({ source: 'bullmq', prefix: j.prefix, queue: j.queue, id: j.id });
const prefixOf = (q: Queue) => q.opts.prefix!;

/** The oracle: every job BullMQ lists whose name, data, return value or failure reason contains q (ASCII case). */
async function bullmqMatches(q: string, opts: { types?: JobType[]; only?: Queue[] } = {}): Promise<string[]> {
  const needle = q.toLowerCase();
  const found: string[] = [];
  for (const queue of opts.only ?? queues) {
    const jobs = await queue.getJobs(opts.types ?? ALL_TYPES, 0, -1);
    for (const job of jobs) {
      const texts = [job.name, JSON.stringify(job.data), job.returnvalue === undefined || job.returnvalue === null ? null : JSON.stringify(job.returnvalue), job.failedReason ?? null];
      if (texts.some((t) => t !== null && t.toLowerCase().includes(needle))) {
        found.push(keyOf({ prefix: prefixOf(queue), queue: queue.name, id: job.id! }));
      }
    }
  }
  return found.sort();
}

/** Jobs in display order as the status route lists them. */
async function displayOrder(): Promise<string[]> {
  const res = await getJson(service, `${API_PATHS.status}?limit=200`);
  expect(res.status).toBe(200);
  return (res.body.jobs as JobSummary[]).filter((j) => j.source === 'bullmq').map(keyOf);
}

beforeAll(async () => {
  redis = new Redis(connection);
  orders1 = new Queue('orders', { connection, prefix: P1 });
  mail1 = new Queue('mail', { connection, prefix: P1 });
  orders2 = new Queue('orders', { connection, prefix: P2 });
  queues = [orders1, mail1, orders2];

  // The oldest waiting job of P1 orders, then newer ones on top of it.
  await orders1.add('archive', { tag: 'ancient-needle' }, { jobId: 'old-1' });
  for (let i = 0; i < FILLERS; i++) {
    await orders1.add('filler', { i });
  }
  await orders1.add('charge', { customer: 'Zebulon Quixote', amount: 42 }, { jobId: 'order-42' });
  await orders2.add('charge', { customer: 'someone else' }, { jobId: 'order-42', delay: 3_600_000 });

  await mail1.add('SendInvoiceEmail', { to: 'ana@example.com' }, { jobId: 'order-42' });
  await mail1.add('deliver', { to: 'bob@example.com' }, { jobId: 'mail-fail-1' });
  const worker = new Worker(
    'mail',
    async (job) => {
      if (job.name === 'deliver') {
        throw new Error('Payment gateway EXPLODED 7731');
      }
      return { receipt: 'RCPT-XYZ-991' };
    },
    { connection, prefix: P1 }
  );
  await waitFor('mail jobs finished', async () => {
    const n = await mail1.getJobCounts('completed', 'failed');
    return n.completed === 1 && n.failed === 1;
  }, 10_000);
  await worker.close();

  for (let i = 0; i < 4; i++) {
    await orders1.add('bulk-thing', { i });
    await mail1.add('bulk-thing', { i }, { delay: 3_600_000 + i * 1000 });
    await orders2.add('bulk-thing', { i }, { priority: 1 + i });
  }
  const memory = new MemorySource('memory', 'mem', ['inbox']);
  memory.add({ id: 'm-1', queue: 'inbox', name: 'bulk-thing in memory', native: 'queued' });
  service = await startService({ JOBSCOPE_PREFIXES: `${P1},${P2}` }, { extraSources: [memory] });
  await service.source.queueRegistry.refresh();
}, 30_000);

afterAll(async () => {
  await service?.close();
  for (const q of queues ?? []) {
    await q.obliterate({ force: true }).finally(() => q.close());
  }
  await deleteByPrefix(redis, P1);
  await deleteByPrefix(redis, P2);
  redis.disconnect();
});

describe('search by id', () => {
  it('finds a job id in every queue and prefix that has it, before any text match', async () => {
    const body = await search('q=order-42&queue=orders,mail');
    const byId = body.jobs.filter((j) => j.id === 'order-42');
    expect(byId.map(keyOf).sort()).toEqual(
      [orders1, mail1, orders2].map((q) => keyOf({ prefix: prefixOf(q), queue: q.name, id: 'order-42' })).sort()
    );
    expect(body.jobs.slice(0, 3).every((j) => j.id === 'order-42')).toBe(true);
    for (const job of byId) {
      const queue = queues.find((q) => prefixOf(q) === job.prefix && q.name === job.queue)!;
      const real = await Job.fromId(queue, 'order-42');
      const state = await real!.getState();
      expect([job.name, job.nativeState]).toEqual([real!.name, state === 'waiting' ? 'wait' : state]);
    }
    const mail = byId.find((j) => j.queue === 'mail')!;
    expect(mail).toMatchObject({ state: 'SUCCESS', result: JSON.stringify({ receipt: 'RCPT-XYZ-991' }) });
    expect(byId.find((j) => j.prefix === P2)).toMatchObject({ state: 'DELAYED', nativeState: 'delayed' });
    expect(byId.find((j) => j.prefix === P2)!.dueAtMs).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it('the id filter follows state and queue', async () => {
    expect((await search('q=order-42&state=DELAYED')).jobs.map((j) => [j.prefix, j.queue, j.id])).toEqual([[P2, 'orders', 'order-42']]);
    expect((await search('q=order-42&queue=mail')).jobs.map((j) => [j.prefix, j.queue, j.id])).toEqual([[P1, 'mail', 'order-42']]);
  });

  it('an id that is also a queue key name ("meta", "wait") finds no job', async () => {
    for (const q of ['meta', 'wait', 'id', 'events']) {
      const body = await search(`q=${q}&queue=orders,mail`);
      expect(body.jobs.map(keyOf).sort()).toEqual(await bullmqMatches(q));
    }
  });
});

describe('search by text', () => {
  it.each([
    ['by name, case-insensitive', 'sendinvoiceEMAIL'],
    ['by data', 'zebulon quix'],
    ['by return value', 'rcpt-xyz-991'],
    ['by error text of a failed job', 'gateway exploded 7731'],
    ['across queues and prefixes', 'bulk-thing'],
    ['with characters Lua patterns would read as magic', '"amount":42'],
    ['that matches nothing', 'nothing-matches-this'],
  ])('%s: exactly the jobs BullMQ has, in display order', async (_what, q) => {
    const body = await search(`q=${encodeURIComponent(q)}&queue=orders,mail`);
    const expected = await bullmqMatches(q);
    expect(body.jobs.map(keyOf).sort()).toEqual(expected);
    const order = (await displayOrder()).filter((k) => expected.includes(k));
    expect(body.jobs.map(keyOf)).toEqual(order);
    expect(body.searched).toMatchObject({ window: 1000, complete: true });
    expect(body.q).toBe(q);
  });

  it('a failed job carries its error', async () => {
    const body = await search('q=EXPLODED');
    expect(body.jobs).toHaveLength(1);
    expect(body.jobs[0]).toMatchObject({ id: 'mail-fail-1', state: 'FAILURE', error: 'Payment gateway EXPLODED 7731' });
  });

  it('counts the jobs it read', async () => {
    const total = (await Promise.all(queues.map((q) => q.getJobCountByTypes(...ALL_TYPES)))).reduce((a, b) => a + b, 0);
    const body = await search('q=nothing-matches-this&queue=orders,mail');
    expect(body.searched).toEqual({ jobs: total, window: 1000, complete: true });
  });

  it('honours the window: a match older than the window is not found and the answer says so', async () => {
    const small = await search('q=ancient-needle&window=10&queue=orders');
    expect(small.jobs).toEqual([]);
    expect(small.searched).toMatchObject({ window: 10, complete: false });
    const waiting = await orders1.getWaitingCount();
    expect(waiting).toBeGreaterThan(FILLERS);
    const wide = await search(`q=ancient-needle&window=${waiting}&queue=orders`);
    expect(wide.jobs.map((j) => j.id)).toEqual(['old-1']);
    expect(wide.searched).toMatchObject({ window: waiting, complete: true });
    // Just too small: the oldest job is the one left out.
    expect((await search(`q=ancient-needle&window=${waiting - 1}&queue=orders`)).jobs).toEqual([]);
  });

  it('honours the limit: the first hits in display order, and not complete', async () => {
    const all = await search('q=bulk-thing&queue=orders,mail');
    expect(all.jobs).toHaveLength(12);
    const five = await search('q=bulk-thing&queue=orders,mail&limit=5');
    expect(five.jobs.map(keyOf)).toEqual(all.jobs.slice(0, 5).map(keyOf));
    expect(five.searched.complete).toBe(false);
    const exact = await search('q=bulk-thing&queue=orders,mail&limit=12');
    expect(exact.jobs).toHaveLength(12);
  });

  it('honours the state filter', async () => {
    const delayed = await search('q=bulk-thing&state=DELAYED');
    expect(delayed.jobs.map(keyOf).sort()).toEqual(await bullmqMatches('bulk-thing', { types: ['delayed'] }));
    expect(delayed.jobs.map((j) => j.dueAtMs)).toEqual([...delayed.jobs.map((j) => j.dueAtMs)].sort((a, b) => a! - b!));
    const pending = await search('q=bulk-thing&state=PENDING&queue=orders');
    expect(pending.jobs.map(keyOf).sort()).toEqual(await bullmqMatches('bulk-thing', { types: ['waiting', 'prioritized'] }));
    expect(pending.jobs.every((j: JobSummary) => j.state === 'PENDING')).toBe(true);
    expect((await search('q=bulk-thing&state=FAILURE')).jobs).toEqual([]);
  });

  it('the queue filter names queues under every prefix', async () => {
    const body = await search('q=bulk-thing&queue=orders');
    expect(body.jobs.map(keyOf).sort()).toEqual(await bullmqMatches('bulk-thing', { only: [orders1, orders2] }));
  });

  it('a source that cannot search makes the answer incomplete only when it holds queues in scope', async () => {
    expect((await search('q=bulk-thing')).searched.complete).toBe(false);
    expect((await search('q=bulk-thing&queue=orders,mail')).searched.complete).toBe(true);
  });
});

describe('search: bad requests', () => {
  it.each([
    ['q=', 'invalid_query'],
    ['q=%20%20', 'invalid_query'],
    ['', 'invalid_query'],
    ['q=x&limit=0', 'invalid_query'],
    ['q=x&limit=201', 'invalid_query'],
    ['q=x&window=10001', 'invalid_query'],
    ['q=x&state=DONE', 'invalid_query'],
    ['q=x&nope=1', 'invalid_query'],
    [`q=${'x'.repeat(201)}`, 'invalid_query'],
  ])('?%s is 400 %s', async (query, code) => {
    const res = await getJson(service, `${API_PATHS.search}?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('an unknown queue is 404 unknown_queue', async () => {
    const res = await getJson(service, `${API_PATHS.search}?q=x&queue=orders,nope`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_queue');
    expect(res.body.error.message).toContain('"nope"');
  });
});

/** Calls per command from INFO commandstats. */
async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const text = await client.info('commandstats');
  return new Map([...text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1].toLowerCase(), Number(m[2])]));
}

async function writesData(client: Redis, command: string): Promise<boolean> {
  const [info] = (await client.call('COMMAND', 'INFO', command.split('|')[0])) as Array<[string, number, string[]] | null>;
  if (!info) {
    throw new Error(`Redis does not know the command ${command}`);
  }
  return info[2].includes('write');
}

describe('search and logs are reads', () => {
  const PREFIX = 'jobscope-search-ro';
  let server: PrivateRedis;
  let client: Redis;
  let roService: Service;

  beforeAll(async () => {
    server = await PrivateRedis.start();
    client = new Redis(server.connection);
    const c = server.connection;
    const a = new Queue('ro-a', { connection: c, prefix: PREFIX });
    const b = new Queue('ro-b', { connection: c, prefix: PREFIX });
    const logged = await a.add('logged', { text: 'findme in data' }, { jobId: 'ro-1' });
    for (let i = 0; i < 20; i++) {
      await logged.log(`line ${i}`);
    }
    await a.add('later', { text: 'findme later' }, { delay: 60_000 });
    await a.add('prio', { text: 'findme prio' }, { priority: 2 });
    await b.add('fail', {}, { jobId: 'ro-1' });
    const worker = new Worker('ro-b', async () => {
      throw new Error('findme in error');
    }, { connection: c, prefix: PREFIX });
    await waitFor('a failure', async () => (await b.getFailedCount()) === 1);
    await Promise.all([worker.close(), a.close(), b.close()]);
    roService = await startService({ REDIS_URL: server.url, JOBSCOPE_PREFIXES: PREFIX });
    await roService.source.queueRegistry.refresh();
  }, 20_000);

  afterAll(async () => {
    await roService?.close();
    client?.disconnect();
    await server?.destroy();
  });

  it('send only read commands, change no key, and a log page is one script call', async () => {
    const addr = /addr=(\S+)/.exec((await roService.redis.client('INFO')) as string)![1];
    const digestBefore = await keyspaceDigest(client, PREFIX);
    const callsBefore = await commandCalls(client);
    const seen: Array<{ source: string; command: string }> = [];
    const monitor = await startMonitor(client, (args, source) => seen.push({ source, command: args[0].toLowerCase() }));
    await sleep(50);

    const logPages = ['?offset=0&limit=5', '?offset=15&limit=100', ''];
    for (const q of logPages) {
      const res = await getJson(roService, `${jobPath({ source: 'bullmq', prefix: PREFIX, queue: 'ro-a', id: 'ro-1' })}/logs${q}`);
      expect(res.status).toBe(200);
    }
    const callsAfterLogs = await commandCalls(client);
    const scriptCalls = (m: Map<string, number>) => (m.get('evalsha') ?? 0) + (m.get('eval') ?? 0);
    expect(scriptCalls(callsAfterLogs) - scriptCalls(callsBefore)).toBe(logPages.length);

    const searches = ['q=ro-1', 'q=FINDME', 'q=findme&state=FAILURE', 'q=findme&queue=ro-a&window=1', 'q=findme&limit=1', 'q=no:id:here'];
    for (const q of searches) {
      const res = await getJson(roService, `${API_PATHS.search}?${q}`);
      expect(res.status).toBe(200);
      expect(res.body.jobs.length).toBeGreaterThan(q.includes('no:id') ? -1 : 0);
    }
    await sleep(200);
    monitor.stop();

    const fromService = seen.filter((s) => s.source.endsWith(addr) || s.source === 'lua' || s.source.endsWith(' lua'));
    const commands = [...new Set(fromService.map((s) => s.command))].sort();
    expect(commands).toEqual(expect.arrayContaining(['evalsha', 'exists', 'llen', 'lrange', 'type', 'hmget', 'zcard', 'zrange', 'zrevrange', 'zscore']));
    const writes: string[] = [];
    for (const command of commands) {
      if (await writesData(client, command)) {
        writes.push(command);
      }
    }
    expect(writes).toEqual([]);

    expect(changedKeys(digestBefore, await keyspaceDigest(client, PREFIX))).toEqual([]);
    const callsAfter = await commandCalls(client);
    const movedWrites: string[] = [];
    for (const [command, n] of callsAfter) {
      if (n !== (callsBefore.get(command) ?? 0) && (await writesData(client, command.split('|')[0]))) {
        movedWrites.push(`${command}: ${callsBefore.get(command) ?? 0} -> ${n}`);
      }
    }
    expect(movedWrites).toEqual([]);
  });
});
