// Several service replicas on one Redis share one audit trail (a capped stream under JOBSCOPE_AUDIT_KEY): an action
// through one replica is in every replica's GET /api/audit, in the same order; the stream stays bounded; read-only
// replicas write nothing; a replica that cannot reach the stream answers from its own memory and says so.
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import pino from 'pino';
import { AUDIT_MAX_ENTRIES, AuditEntrySchema, type JobRef, jobPath } from '@jobscope/contract';
import { AuditLog } from '../src/audit/audit-log';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { SHARED_REDIS_URL, getJson, sharedConnection, startService } from './helpers/service';

const TOKEN = 'audit-replicas-token';
const prefix = testPrefix('audit');
const AUDIT_KEY = `${prefix}:audit`; // under the test's prefix, so cleaning up the prefix removes it
const Q = 'audited';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const grafanaUser = (login: string) => JSON.stringify({ Login: login, OrgRole: 'Editor', OrgID: 1 });
const ref = (id: string): JobRef => ({ source: 'bullmq', prefix, queue: Q, id });

let redis: Redis;
let queue: Queue;
let replicaA: Service;
let replicaB: Service;

const replica = () => startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_AUDIT_KEY: AUDIT_KEY });
const audit = async (service: Service, limit = 10) => (await getJson(service, `/api/audit?limit=${limit}`)).body;

beforeAll(async () => {
  redis = new Redis(SHARED_REDIS_URL);
  queue = new Queue(Q, { connection: sharedConnection(), prefix });
  await queue.add('to-remove', {}, { jobId: 'r-1' });
  await queue.add('to-promote', {}, { jobId: 'p-1', delay: 3_600_000 });
  [replicaA, replicaB] = await Promise.all([replica(), replica()]);
  await Promise.all([replicaA.source.queueRegistry.refresh(), replicaB.source.queueRegistry.refresh()]);
});

afterAll(async () => {
  await Promise.allSettled([replicaA?.close(), replicaB?.close(), queue?.close()]);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

test('an action through one replica is in the other replica\'s audit trail, and both show the same trail', async () => {
  const promoted = await getJson(replicaA, jobPath(ref('p-1'), 'promote'), { method: 'POST', headers: { ...AUTH, 'x-grafana-context': grafanaUser('ana') } });
  expect(promoted.status).toBe(200);
  const refused = await getJson(replicaB, jobPath(ref('r-1'), 'remove'), { method: 'POST', headers: { authorization: 'Bearer wrong-token-0000' } });
  expect(refused.status).toBe(401);
  const removed = await getJson(replicaB, jobPath(ref('r-1'), 'remove'), { method: 'POST', headers: { ...AUTH, 'x-grafana-context': grafanaUser('bo') } });
  expect(removed.status).toBe(200);

  const [fromA, fromB] = [await audit(replicaA), await audit(replicaB)];
  expect(fromA).toEqual(fromB);
  expect(fromA.scope).toBe('shared');
  const entries = fromA.entries.map((e: unknown) => AuditEntrySchema.parse(e));
  expect(entries.map((e: { action: string; status: number; user: string }) => [e.action, e.status, e.user])).toEqual([
    ['job.remove', 200, 'bo'],
    [expect.stringContaining('POST'), 401, 'unauthenticated'],
    ['job.promote', 200, 'ana'],
  ]);
  expect(await queue.getJob('r-1')).toBeUndefined();
  expect(await redis.type(AUDIT_KEY)).toBe('stream');
});

test('the shared stream stays bounded (MAXLEN ~), newest first', async () => {
  const log = new AuditLog(pino({ level: 'silent' }), { redis, key: AUDIT_KEY });
  const total = AUDIT_MAX_ENTRIES + 300;
  for (let i = 0; i < total; i++) {
    await log.record({ time: new Date().toISOString(), action: `bulk.${i}`, target: 't', outcome: 'ok', status: 200, user: 'u', role: null, detail: null });
  }
  const length = await redis.xlen(AUDIT_KEY);
  // `~` trims whole stream nodes (100 entries each by default), so the stream holds at least the cap, and < cap + a node.
  expect(length).toBeGreaterThanOrEqual(AUDIT_MAX_ENTRIES);
  expect(length).toBeLessThanOrEqual(AUDIT_MAX_ENTRIES + 100);
  const newest = await audit(replicaB, 3);
  expect(newest.entries.map((e: { action: string }) => e.action)).toEqual([`bulk.${total - 1}`, `bulk.${total - 2}`, `bulk.${total - 3}`]);
});

test('a read-only replica writes nothing to the stream: its refused attempts stay in its own memory', async () => {
  const readOnly = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_AUDIT_KEY: AUDIT_KEY, JOBSCOPE_READ_ONLY: 'true' });
  try {
    const before = await redis.xinfo('STREAM', AUDIT_KEY).then((info) => (info as unknown[])[(info as unknown[]).indexOf('last-generated-id') + 1]);
    const res = await getJson(readOnly, jobPath(ref('p-1'), 'retry'), { method: 'POST', headers: AUTH });
    expect([res.status, res.body.error.code]).toEqual([403, 'read_only']);
    const after = await redis.xinfo('STREAM', AUDIT_KEY).then((info) => (info as unknown[])[(info as unknown[]).indexOf('last-generated-id') + 1]);
    expect(after).toBe(before);
    const own = await audit(readOnly);
    expect(own.scope).toBe('replica');
    expect(own.entries[0]).toMatchObject({ status: 403, outcome: 'rejected' });
  } finally {
    await readOnly.close();
  }
});

test('when the stream cannot be reached, writes still succeed and the trail comes from this replica\'s memory', async () => {
  // A client that fails every command at once (nothing listens on port 1; no offline queue, no retries).
  const unreachable = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  unreachable.on('error', () => undefined);
  try {
    const log = new AuditLog(pino({ level: 'silent' }), { redis: unreachable, key: AUDIT_KEY });
    await log.record({ time: new Date().toISOString(), action: 'job.retry', target: 'x', outcome: 'ok', status: 200, user: 'cy', role: null, detail: null });
    const { entries, scope } = await log.newest(5);
    expect(scope).toBe('replica');
    expect(entries.map((e) => e.user)).toEqual(['cy']);
  } finally {
    unreachable.disconnect();
  }
});
