import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema, jobPath, queueActionPath, type JobRef } from '@jobscope/contract';
import { enableRemoteCancel } from '@jobscope/worker';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { changedKeys, keyspaceDigest } from './helpers/prefix';
import { getJson, startService } from './helpers/service';
import { waitFor } from './helpers/wait';
import { SseReader } from './helpers/sse';

/**
 * The least-privilege Redis users README "Redis permissions" documents, on a private redis-server: the read-only user
 * serves status, job detail, search, logs, export, health, metrics and /readyz; Redis itself refuses its writes (an
 * enqueue or retry through the service answers 503 and no key changes, even with JOBSCOPE_READ_ONLY off). The actions
 * user runs BullMQ's writes: enqueue, retry, promote, remove, pause/resume, retry-failed, clean.
 */

const PREFIX = 'jobscope-acl-rules';
const Q = 'acl-q';
const TOKEN = 'acl-test-token';

/**
 * README "Redis permissions" (a): every command the service sends for reads. Keys are `~` (not `%R~`): Redis counts
 * the keys named to EVAL/EVALSHA as read-write; the missing write commands are what keeps this user from writing.
 */
const READ_ONLY_RULES = [
  `~${PREFIX}:*`,
  '+ping', '+info', '+client|list', '+scan', '+evalsha', '+eval', '+xrevrange',
  '+exists', '+type', '+hget', '+hmget', '+hexists', '+hlen', '+hscan', '+llen', '+lrange', '+lindex', '+lpos',
  '+scard', '+sscan', '+zcard', '+zcount', '+zrange', '+zrangebyscore', '+zrevrange', '+zrevrangebyscore', '+zscore',
];
/**
 * README "Redis permissions" (b): BullMQ's reads and writes on the prefix (relay keys `<prefix>::relay:*` included),
 * and the shared audit stream (JOBSCOPE_AUDIT_KEY, default jobscope:audit).
 */
const ACTIONS_RULES = [`~${PREFIX}:*`, '~jobscope:audit', '+@read', '+@write', '-@dangerous', '+time', '+ping', '+info', '+client|list', '+client|setname', '+evalsha', '+eval'];

let server: PrivateRedis;
let admin: Redis;
let queue: Queue;
const services: Service[] = [];
const ref = (id: string): JobRef => ({ source: 'bullmq', prefix: PREFIX, queue: Q, id });
/** What Redis answers a refused command: NOPERM, or from inside a script "can't run this command". */
const REFUSED = /NOPERM|user executing the script can't run this command/;
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function serviceAs(user: string, env: Record<string, string> = {}): Promise<Service> {
  const service = await startService({
    REDIS_URL: `redis://${user}:${user}-pass@127.0.0.1:${server.port}`,
    JOBSCOPE_PREFIXES: PREFIX,
    JOBSCOPE_API_TOKEN: TOKEN,
    ...env,
  });
  services.push(service);
  await service.source.queueRegistry.refresh();
  return service;
}

function post(service: Service, path: string, body?: unknown) {
  return getJson(service, path, { method: 'POST', headers: AUTH, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

/** ACL LOG entries since the last reset, as `reason command` (e.g. `command hset`). */
async function aclDenials(): Promise<string[]> {
  const log = (await admin.call('ACL', 'LOG')) as unknown[][];
  return log.map((entry) => {
    const fields = new Map<string, unknown>();
    for (let i = 0; i < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
    return `${fields.get('reason')} ${fields.get('object')} (${fields.get('username')})`;
  });
}

beforeAll(async () => {
  server = await PrivateRedis.start();
  admin = new Redis(server.connection);
  await admin.call('ACL', 'SETUSER', 'reader', 'on', '>reader-pass', 'resetkeys', 'resetchannels', '-@all', ...READ_ONLY_RULES);
  await admin.call('ACL', 'SETUSER', 'operator', 'on', '>operator-pass', 'resetkeys', 'resetchannels', '-@all', ...ACTIONS_RULES);
  const connection = server.connection;
  queue = new Queue(Q, { connection, prefix: PREFIX });
  await queue.add('ok', { text: 'hello' }, { jobId: 'ok-1' });
  for (const id of ['bad-1', 'bad-2', 'bad-3']) await queue.add('bad', {}, { jobId: id });
  const worker = new Worker(Q, async (job) => {
    await job.log(`ran ${job.id}`);
    if (job.name === 'bad') throw new Error('bad job');
    return 'fine';
  }, { connection, prefix: PREFIX });
  await waitFor('jobs finished', async () => {
    const n = await queue.getJobCounts('completed', 'failed');
    return n.completed === 1 && n.failed === 3;
  }, 10_000);
  await worker.close();
  await queue.add('later', {}, { jobId: 'later-1', delay: 60_000 });
  await queue.add('waiting', {}, { jobId: 'wait-1' });
}, 20_000);

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.close()));
  await queue?.close();
  admin?.disconnect();
  await server?.destroy();
});

describe('the read-only user', () => {
  let service: Service;
  beforeAll(async () => {
    service = await serviceAs('reader', { JOBSCOPE_STREAM_INTERVAL_MS: '100' });
    await admin.call('ACL', 'LOG', 'RESET');
  });

  it('serves status, workers, detail, logs, search, export, queues, health, metrics and /readyz, with no ACL denial', async () => {
    // An idle worker, so CLIENT LIST has something to find.
    const idle = new Worker(Q, async () => undefined, { connection: server.connection, prefix: PREFIX, name: 'idle', autorun: false });
    await idle.waitUntilReady();
    try {
      const status = await getJson(service, '/api/settings/jobs/status?limit=50');
      expect([status.status, status.status === 200 ? '' : JSON.stringify(status.body), await aclDenials()]).toEqual([200, '', []]);
      const body = StatusResponseSchema.parse(status.body);
      expect(body.redis).toMatchObject({ ok: true, version: expect.stringMatching(/^7\./) });
      expect(body.workers.status).toBe('ok');
      expect(body.jobs.map((j) => j.id).sort()).toEqual(['bad-1', 'bad-2', 'bad-3', 'later-1', 'ok-1', 'wait-1']);
      for (const state of ['FAILURE', 'DELAYED', 'PENDING']) {
        expect((await getJson(service, `/api/settings/jobs/status?state=${state}`)).status).toBe(200);
      }
      const detail = await getJson(service, jobPath(ref('bad-1')));
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ id: 'bad-1', nativeState: 'failed' });
      const logs = await getJson(service, `${jobPath(ref('ok-1'))}/logs`);
      expect(logs).toMatchObject({ status: 200, body: { lines: ['ran ok-1'] } });
      expect((await getJson(service, '/api/jobs/search?q=bad-2')).body.jobs.map((j: { id: string }) => j.id)).toEqual(['bad-2']);
      expect((await getJson(service, '/api/jobs/search?q=later')).body.jobs.map((j: { id: string }) => j.id)).toEqual(['later-1']);
      expect((await getJson(service, '/api/jobs/export?format=json')).status).toBe(200);
      expect((await getJson(service, '/api/queues')).body.queues).toEqual([{ source: 'bullmq', prefix: PREFIX, name: Q }]);
      const health = await getJson(service, '/api/health');
      expect([200, 503]).toContain(health.status);
      expect(JSON.stringify(health.body)).not.toMatch(/NOPERM|unreachable/);
      expect(health.body.checks['redis:responseTime'][0].status).toBe('pass');
      const metrics = await service.app.request('/metrics');
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(new RegExp(`jobscope_queue_jobs\\{[^}]*queue="${Q}"`));
      expect((await getJson(service, '/readyz')).status).toBe(200);
    } finally {
      await idle.close();
    }
    expect(await aclDenials()).toEqual([]);
  });

  it('keeps a live stream going (the change marker reads each queue\'s events stream)', async () => {
    const res = await service.app.request('/api/settings/jobs/stream?limit=50');
    expect(res.status).toBe(200);
    const sse = new SseReader(res);
    try {
      await sse.waitFor((e) => e.data.includes('"wait-1"'));
      const seen = sse.events.length;
      await queue.add('streamed', {}, { jobId: 'streamed-1' });
      await sse.waitFor((e) => e.data.includes('"streamed-1"'), 5000, seen);
    } finally {
      await sse.close();
    }
    await queue.remove('streamed-1');
    expect(await aclDenials()).toEqual([]);
  });

  it('is refused every write by Redis: enqueue, retry, pause answer 503 and no key changes', async () => {
    const before = await keyspaceDigest(admin, PREFIX);
    const added = await post(service, '/api/jobs', { queue: Q, name: 'never', data: {} });
    expect(added.status).toBe(503);
    expect(added.body.error.code).toBe('redis_unavailable');
    expect(added.body.error.message).toMatch(REFUSED);
    const retried = await post(service, jobPath(ref('bad-1'), 'retry'));
    expect(retried.status).toBe(503);
    expect(retried.body.error.message).toMatch(REFUSED);
    const paused = await post(service, queueActionPath({ source: 'bullmq', prefix: PREFIX, name: Q }, 'pause'));
    expect(paused.status).toBe(503);
    expect(paused.body.error.message).toMatch(REFUSED);
    expect(changedKeys(before, await keyspaceDigest(admin, PREFIX))).toEqual([]);
    expect(await queue.getJobState('bad-1')).toBe('failed');
    expect(await queue.isPaused()).toBe(false);
    expect((await aclDenials()).length).toBeGreaterThan(0);
  });

  it('cannot write directly either, nor read or write outside its prefix', async () => {
    const reader = new Redis({ ...server.connection, username: 'reader', password: 'reader-pass' });
    try {
      await expect(reader.hset(`${PREFIX}:${Q}:meta`, 'paused', '1')).rejects.toThrow(/NOPERM/);
      await expect(reader.del(`${PREFIX}:${Q}:wait`)).rejects.toThrow(/NOPERM/);
      await expect(reader.eval(`return redis.call('DEL', KEYS[1])`, 1, `${PREFIX}:${Q}:wait`)).rejects.toThrow(REFUSED);
      await expect(reader.flushall()).rejects.toThrow(/NOPERM/);
      await expect(reader.hget('other:q:meta', 'version')).rejects.toThrow(/NOPERM/);
      expect(await reader.llen(`${PREFIX}:${Q}:wait`)).toBe(1);
    } finally {
      reader.disconnect();
    }
  });

  it('with JOBSCOPE_READ_ONLY=true the service refuses first (403), before Redis is asked', async () => {
    const ro = await serviceAs('reader', { JOBSCOPE_READ_ONLY: 'true' });
    const res = await post(ro, jobPath(ref('bad-1'), 'retry'));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('read_only');
  });
});

describe('the actions user', () => {
  let service: Service;
  beforeAll(async () => {
    service = await serviceAs('operator', { JOBSCOPE_AUDIT_KEY: 'jobscope:audit' });
    await admin.call('ACL', 'LOG', 'RESET');
  });

  it('reads like the read-only user', async () => {
    const status = await getJson(service, '/api/settings/jobs/status');
    expect(status.status).toBe(200);
    expect(status.body.workers.status).toBe('ok');
    expect((await getJson(service, jobPath(ref('bad-1')))).status).toBe(200);
  });

  it('retries a failed job, and runs the other actions', async () => {
    const retried = await post(service, jobPath(ref('bad-1'), 'retry'));
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ action: 'retry', job: { id: 'bad-1', nativeState: 'wait' } });
    expect(await queue.getJobState('bad-1')).toBe('waiting');

    const added = await post(service, '/api/jobs', { queue: Q, name: 'added', data: { x: 1 } });
    expect(added.status).toBe(201);
    expect(await queue.getJobState(added.body.id)).toBe('waiting');
    expect((await post(service, jobPath(ref('later-1'), 'promote'))).status).toBe(200);
    expect(await queue.getJobState('later-1')).toBe('waiting');
    expect((await post(service, jobPath(ref('wait-1'), 'remove'))).status).toBe(200);
    expect(await queue.getJob('wait-1')).toBeUndefined();
    const address = { source: 'bullmq', prefix: PREFIX, name: Q };
    expect((await post(service, queueActionPath(address, 'pause'))).body).toMatchObject({ paused: true });
    expect((await post(service, queueActionPath(address, 'resume'))).body).toMatchObject({ paused: false });
    expect((await post(service, queueActionPath(address, 'retry-failed'), { limit: 10 })).body).toMatchObject({ touched: 2 });
    expect((await post(service, queueActionPath(address, 'clean'), { state: 'SUCCESS', olderThanMs: 0, limit: 10 })).body).toMatchObject({ touched: 1 });
    expect(await aclDenials()).toEqual([]);
    // The audit trail went to the shared stream this user may append to.
    const trail = await getJson(service, '/api/audit?limit=1');
    expect([trail.body.scope, trail.body.entries[0]?.action]).toEqual(['shared', 'queue.clean']);
  });

  it('cancels a running job through the relay (keys <prefix>::relay:*)', async () => {
    // A queue of its own: the worker must take this job, not a waiting one of the other tests.
    const cq = new Queue('acl-cancel', { connection: server.connection, prefix: PREFIX });
    const worker = new Worker(
      'acl-cancel',
      (_job, _token, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error(`cancelled: ${String(signal.reason)}`)))),
      { connection: server.connection, prefix: PREFIX, name: 'cancellable' }
    );
    const remote = await enableRemoteCancel(worker, { connection: server.connection, prefix: PREFIX });
    try {
      await cq.add('long', {}, { jobId: 'long-1' });
      await waitFor('the job runs', async () => (await cq.getJobState('long-1')) === 'active');
      await service.source.queueRegistry.refresh();
      const res = await post(service, jobPath({ ...ref('long-1'), queue: 'acl-cancel' }, 'cancel'), { reason: 'stop' });
      expect([res.status, res.body.delivered, res.status === 202 ? '' : JSON.stringify(res.body)]).toEqual([202, 1, '']);
      await waitFor('the job failed', async () => (await cq.getJobState('long-1')) === 'failed');
    } finally {
      await remote.close();
      await worker.close(true);
      await cq.close();
    }
    expect(await aclDenials()).toEqual([]);
  }, 15_000);
});
