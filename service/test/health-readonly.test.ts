import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { keyspaceDigest, changedKeys, testPrefix } from './helpers/prefix';
import { startService } from './helpers/service';
import type { Service } from '../src/service';
import { queueStatsScript, readQueueStats } from '../src/sources/bullmq/queue-stats';

/**
 * Reads of /api/health, /metrics and /readyz change nothing in Redis and cost one script call per batch of queues:
 * checked with INFO commandstats on a private redis-server (commands run inside scripts are counted too) and a digest
 * of every key under the prefix. 200 queues, 50 per script call (the default) → 4 calls per reading.
 */
jest.setTimeout(60_000);

const QUEUES = 200;
const PER_CALL = 50;
const prefix = testPrefix('readonly');
const names = Array.from({ length: QUEUES }, (_, i) => `q${String(i).padStart(3, '0')}`);
let redis: PrivateRedis;
let client: Redis;
let service: Service;

async function commandStats(): Promise<Map<string, number>> {
  const info = await client.info('commandstats');
  const stats = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    stats.set(m[1], Number(m[2]));
  }
  return stats;
}

async function isWrite(command: string): Promise<boolean> {
  const [entry] = (await client.call('COMMAND', 'INFO', command.split('|')[0])) as Array<[string, number, string[]] | null>;
  return !!entry && entry[2].includes('write');
}

beforeAll(async () => {
  redis = await PrivateRedis.start();
  client = new Redis(redis.connection);
  const shared = new Redis({ ...redis.connection, maxRetriesPerRequest: null });
  for (const name of names) {
    const q = new Queue(name, { connection: shared, prefix });
    await q.add('waits', {});
    await q.close();
  }
  // One queue with an active (locked), a completed and a failed job, so lock checks and window counts run too.
  const q0 = new Queue(names[0], { connection: shared, prefix });
  await q0.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }, { name: 'c', data: {} }]);
  const worker = new Worker(names[0], null, { connection: redis.connection, prefix, autorun: false });
  await (await worker.getNextJob('t'))!.moveToCompleted('ok', 't', false);
  await (await worker.getNextJob('t'))!.moveToFailed(new Error('x'), 't', false);
  await worker.getNextJob('t');
  await worker.close(true);
  await q0.close();
  shared.disconnect();

  service = await startService({
    REDIS_URL: redis.url,
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_QUEUES: names.join(','),
    JOBSCOPE_STATS_TTL_MS: '0',
    JOBSCOPE_QUEUES_PER_CALL: String(PER_CALL),
  });
  // Loads the script once (EVALSHA → NOSCRIPT → EVAL) before counting.
  expect((await service.app.request('/metrics')).status).toBe(200);
});

afterAll(async () => {
  await service?.close();
  client?.disconnect();
  await redis?.destroy();
});

it('writes nothing, scans nothing and makes one script call per batch of queues', async () => {
  const before = await keyspaceDigest(client, prefix);
  expect(before.keys).toBeGreaterThan(QUEUES);
  await client.call('CONFIG', 'RESETSTAT');

  const reads = ['/api/health', '/api/health?queue=q000', '/metrics', '/api/health', '/metrics'];
  for (const path of reads) {
    const res = await service.app.request(path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
  }
  expect((await service.app.request('/readyz')).status).toBe(200);

  const stats = await commandStats();
  const writes: string[] = [];
  for (const command of stats.keys()) {
    if (await isWrite(command)) {
      writes.push(command);
    }
  }
  expect(writes).toEqual([]);
  for (const forbidden of ['scan', 'keys', 'hgetall', 'smembers']) {
    expect({ forbidden, calls: stats.get(forbidden) ?? 0 }).toEqual({ forbidden, calls: 0 });
  }
  // Every reading (health or scrape) is one CLIENT LIST and ceil(200 / 50) = 4 script calls, whatever the queue count.
  const scriptCalls = (stats.get('evalsha') ?? 0) + (stats.get('eval') ?? 0);
  expect(scriptCalls).toBe(reads.length * Math.ceil(QUEUES / PER_CALL));
  expect(stats.get('client|list')).toBe(reads.length);
  // O(1) per queue: 8 counts + HEXISTS + 2 LINDEX + 2 ZCOUNT + ZRANGE per queue; HGET only where jobs wait.
  expect(stats.get('llen')).toBe(reads.length * QUEUES * 3);
  expect(stats.get('zcount')).toBe(reads.length * QUEUES * 2);
  expect(stats.get('exists')).toBe(reads.length * 1);

  const after = await keyspaceDigest(client, prefix);
  expect(changedKeys(before, after)).toEqual([]);
  expect(after.sha256).toBe(before.sha256);
});

it('reads the same stats with the Redis < 7 script variant (no shebang flags)', async () => {
  const queues = names.slice(0, 60).map((name) => ({ prefix, name, version: null }));
  const request = { windowMs: 300_000, now: Date.now(), maxLockChecks: 100 };
  const opts = { source: 'bullmq', prefixes: [prefix], queuesPerCall: PER_CALL };
  const flagged = new Redis(redis.connection);
  const plain = new Redis(redis.connection);
  try {
    queueStatsScript.define(flagged, 7);
    queueStatsScript.define(plain, 6);
    const a = await readQueueStats(flagged, queues, opts, request);
    const b = await readQueueStats(plain, queues, opts, request);
    expect(b).toEqual(a);
    expect(a.queues[0]).toMatchObject({ name: 'q000', stalled: 0, stalledChecked: 1, recentFailures: 1, recentCompletions: 1 });
    expect(a.queues[0].nativeCounts).toMatchObject({ active: 1, wait: 1, completed: 1, failed: 1 });
    expect(a.queues[1].oldestWaitingAgeMs).toBeGreaterThan(0);
  } finally {
    flagged.disconnect();
    plain.disconnect();
  }
});
