import { jobPath } from '@jobscope/contract';
import { FlowProducer, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { Service } from '../src/service';
import { changedKeys, keyspaceDigest } from './helpers/prefix';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { getJson, startService } from './helpers/service';
import { startMonitor } from './helpers/monitor';
import { sleep, waitFor } from './helpers/wait';

/**
 * Reading the status route must not write to Redis. A private redis-server (nobody else talks to it) runs MONITOR
 * while the service answers many status reads; every command the service sent, including those inside its Lua
 * script, must be one Redis itself flags as not writing. The keyspace digest and the write counters of
 * INFO commandstats must not move either.
 */

const PREFIX = 'jobscope-ro';
const STATUS = '/api/settings/jobs/status';

let server: PrivateRedis;
let redis: Redis;
let service: Service;

interface Seen {
  source: string;
  command: string;
  args: string[];
}

/** Calls per command from INFO commandstats, e.g. { hset: 12, ... }. */
async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const text = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(m[1].toLowerCase(), Number(m[2]));
  }
  return calls;
}

/** Whether Redis flags a command (or `container|sub`) as writing, from COMMAND INFO. */
async function writesData(client: Redis, command: string): Promise<boolean> {
  const [info] = (await client.call('COMMAND', 'INFO', command.split('|')[0])) as Array<[string, number, string[]] | null>;
  if (!info) {
    throw new Error(`Redis does not know the command ${command}`);
  }
  return info[2].includes('write');
}

async function seedEveryState(): Promise<void> {
  const connection = server.connection;
  const queues = ['ro-a', 'ro-b', 'ro-c'].map((name) => new Queue(name, { connection, prefix: PREFIX }));
  const [a, b, c] = queues;
  let release: () => void = () => undefined;
  const held = new Promise<void>((r) => (release = r));
  const holder = new Worker('ro-a', async () => held, { connection, prefix: PREFIX, name: 'holder' });
  const finisher = new Worker(
    'ro-b',
    async (job) => {
      if (job.name === 'fail') {
        throw new Error('nope');
      }
      return { ok: true };
    },
    { connection, prefix: PREFIX, name: 'finisher' }
  );
  await a.add('run', {});
  await waitFor('an active job', async () => (await a.getJobCounts('active')).active === 1);
  await b.add('fail', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
  await b.add('ok', {});
  await waitFor('finished jobs', async () => {
    const n = await b.getJobCounts('completed', 'failed');
    return n.completed === 1 && n.failed === 1;
  });
  await c.add('wait', { x: 1 });
  await c.add('prio', {}, { priority: 3 });
  await c.add('later', {}, { delay: 60_000 });
  const flows = new FlowProducer({ connection, prefix: PREFIX });
  await flows.add({ name: 'parent', queueName: 'ro-b', children: [{ name: 'child', queueName: 'ro-c' }] });
  await c.pause();
  // Legacy v5 list, so the script reads it too.
  await redis.hset(`${PREFIX}:ro-c:legacy-1`, { name: 'legacy', data: '{}', opts: '{}', timestamp: String(Date.now()) });
  await redis.rpush(`${PREFIX}:ro-c:paused`, 'legacy-1');
  // Nothing but the service may talk to Redis while it is watched: stop workers without finishing the held job.
  await Promise.all([holder.close(true), finisher.close(true), flows.close(), ...queues.map((q) => q.close())]);
  release();
}

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = new Redis(server.connection);
  await seedEveryState();
  service = await startService({ REDIS_URL: server.url, JOBSCOPE_PREFIXES: PREFIX });
  await service.source.queueRegistry.refresh();
}, 20_000);

afterAll(async () => {
  await service?.close();
  redis?.disconnect();
  await server?.destroy();
});

it('status reads send only read commands, change no key and move no write counter', async () => {
  const addr = /addr=(\S+)/.exec((await service.redis.client('INFO')) as string)![1];
  const digestBefore = await keyspaceDigest(redis, PREFIX);
  const callsBefore = await commandCalls(redis);

  const seen: Seen[] = [];
  const monitor = await startMonitor(redis, (args, source) => seen.push({ source, command: args[0].toLowerCase(), args }));
  await sleep(50);
  const queries = ['', '?limit=200', '?limit=1', '?state=PENDING', '?state=FAILURE&limit=5', '?queue=ro-c', '?queue=ro-a&state=RUNNING',
    // Filters and pages read too, and only read.
    '?queue=ro-a,ro-c&name=legacy', `?state=SUCCESS&from=0&to=${Date.now() + 60_000}`, '?state=PENDING&from=0&limit=2'];
  for (const q of queries) {
    const res = await getJson(service, `${STATUS}${q}`);
    expect(res.status).toBe(200);
  }
  const firstPage = (await getJson(service, `${STATUS}?state=PENDING&limit=1`)).body;
  expect(firstPage.nextCursor).toEqual(expect.any(String));
  expect((await getJson(service, `${STATUS}?state=PENDING&limit=1&cursor=${firstPage.nextCursor}`)).status).toBe(200);
  const full = (await getJson(service, `${STATUS}?limit=200`)).body;
  // Job detail of every job, in every state, is a read too.
  for (const job of full.jobs) {
    const detail = await getJson(service, jobPath(job));
    expect([job.nativeState, detail.status, detail.body.nativeState]).toEqual([job.nativeState, 200, job.nativeState]);
  }
  const callsAfterReads = await commandCalls(redis);
  await service.source.queueRegistry.refresh();
  await sleep(200);
  monitor.stop();

  // Sanity: the reads really happened and MONITOR saw them, script internals included.
  expect(full.jobs.map((j: { nativeState: string }) => j.nativeState).sort()).toEqual(
    ['active', 'completed', 'delayed', 'failed', 'paused', 'prioritized', 'wait', 'wait', 'waiting-children'].sort()
  );
  const fromService = seen.filter((s) => s.source.endsWith(addr) || s.source === 'lua' || s.source.endsWith(' lua'));
  const commands = [...new Set(fromService.map((s) => s.command))].sort();
  expect(commands).toEqual(expect.arrayContaining(['evalsha', 'llen', 'zcard', 'hexists', 'lrange', 'hget', 'zrange', 'zrevrange', 'hmget', 'ping', 'zscore', 'lpos', 'exists']));

  // Kept in the output on failure: what the service sent.
  expect(commands.length).toBeGreaterThan(5);
  const writes: string[] = [];
  for (const command of commands) {
    if (await writesData(redis, command)) {
      writes.push(command);
    }
  }
  expect(writes).toEqual([]);

  // One script call and one CLIENT LIST per snapshot, however many queues (3 here, one script batch).
  // Every status read (the queries, two pages, the full list) is one script call.
  const snapshots = queries.length + 3;
  const delta = (c: string) => (callsAfterReads.get(c) ?? 0) - (callsBefore.get(c) ?? 0);
  // One script call per snapshot and one per job detail: a detail is one round trip.
  expect(delta('evalsha') + delta('eval')).toBe(snapshots + full.jobs.length);
  expect(delta('client|list')).toBe(snapshots);

  const digestAfter = await keyspaceDigest(redis, PREFIX);
  expect(changedKeys(digestBefore, digestAfter)).toEqual([]);
  const callsAfter = await commandCalls(redis);
  const movedWrites: string[] = [];
  for (const [command, n] of callsAfter) {
    if (n !== (callsBefore.get(command) ?? 0) && (await writesData(redis, command.split('|')[0]))) {
      movedWrites.push(`${command}: ${callsBefore.get(command) ?? 0} -> ${n}`);
    }
  }
  expect(movedWrites).toEqual([]);
});
