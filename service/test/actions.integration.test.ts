import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import {
  AuditEntrySchema,
  JobActionResponseSchema,
  QueueActionResponseSchema,
  jobPath,
  queueActionPath,
  type JobRef,
} from '@jobscope/contract';
import { enableRemoteCancel } from '@jobscope/worker';
import type { Service } from '../src/service';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix, type KeyspaceDigest } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { sleep, waitFor } from './helpers/wait';

/**
 * Job and queue actions end to end on real BullMQ queues and workers, checked with BullMQ's own getters; races
 * resolve to one winner and 409s.
 */

const TOKEN = 'actions-test-token';
const connection = sharedConnection();
const prefix = testPrefix('actions');
const Q = 'act';
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const GRAFANA_USER = JSON.stringify({ Login: 'ana', Email: 'ana@example.com', OrgRole: 'Editor', OrgID: 1 });

let redis: Redis;
let queue: Queue;
let service: Service;
const closers: Array<() => Promise<unknown>> = [];
const ref = (id: string, queueName = Q): JobRef => ({ source: 'bullmq', prefix, queue: queueName, id });
const queueAddress = (name = Q) => ({ source: 'bullmq', prefix, name });

/** Queue keys changed since `before` (the relay's own keys, `<prefix>::relay:…`, heartbeat on their own). */
async function changedSince(before: KeyspaceDigest): Promise<string[]> {
  return changedKeys(before, await keyspaceDigest(redis, prefix)).filter((k) => !k.includes('::relay:'));
}

function post(path: string, body?: unknown, headers: Record<string, string> = {}) {
  return getJson(service, path, {
    method: 'POST',
    headers: { ...AUTH, 'x-grafana-context': GRAFANA_USER, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Runs one worker until `done`, failing jobs named "bad". */
async function process(q: Queue, until: () => Promise<boolean>) {
  const worker = new Worker(
    q.name,
    async (job) => {
      if (job.name === 'bad') throw new Error('bad job');
      return 'fine';
    },
    { connection, prefix }
  );
  await waitFor('jobs processed', until, 10_000);
  await worker.close();
}

async function failedJob(id: string): Promise<void> {
  await queue.add('bad', {}, { jobId: id });
  await process(queue, async () => (await queue.getJobState(id)) === 'failed');
}

beforeAll(async () => {
  redis = new Redis(connection);
  queue = new Queue(Q, { connection, prefix });
  await queue.add('seed', {}, { jobId: 'seed' });
  await process(queue, async () => (await queue.getJobState('seed')) === 'completed');
  service = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN });
  await service.source.queueRegistry.refresh();
}, 20_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await service?.close();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('retry', () => {
  it('moves a failed job back to waiting and answers its summary', async () => {
    await failedJob('r-1');
    const res = await post(jobPath(ref('r-1'), 'retry'));
    expect(res.status).toBe(200);
    const body = JobActionResponseSchema.parse(res.body);
    expect(body).toMatchObject({ action: 'retry', job: { id: 'r-1', state: 'PENDING', nativeState: 'wait' } });
    expect(await queue.getJobState('r-1')).toBe('waiting');
  });

  it('retries a completed job too', async () => {
    const res = await post(jobPath(ref('seed'), 'retry'));
    expect(res.status).toBe(200);
    expect(await queue.getJobState('seed')).toBe('waiting');
  });

  it('answers 409 naming the state of a job that is not finished, and changes nothing', async () => {
    await queue.add('x', {}, { jobId: 'r-waiting' });
    const before = await keyspaceDigest(redis, prefix);
    const res = await post(jobPath(ref('r-waiting'), 'retry'));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'wrong_state' });
    expect(res.body.error.message).toContain('it is wait');
    expect(await changedSince(before)).toEqual([]);
  });

  it('10 concurrent retries of one failed job: exactly one wins, nine 409, one entry in wait', async () => {
    await failedJob('r-race');
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(jobPath(ref('r-race'), 'retry'))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    const wait = await redis.lrange(`${prefix}:${Q}:wait`, 0, -1);
    expect(wait.filter((id) => id === 'r-race')).toHaveLength(1);
    expect(await redis.zscore(`${prefix}:${Q}:failed`, 'r-race')).toBeNull();
  });
});

describe('promote and remove', () => {
  it('promotes a delayed job once; the second promote is a 409', async () => {
    await queue.add('later', {}, { jobId: 'p-1', delay: 60_000 });
    const first = await post(jobPath(ref('p-1'), 'promote'));
    expect(first.status).toBe(200);
    expect(first.body.job).toMatchObject({ state: 'PENDING' });
    expect(await queue.getJobState('p-1')).toBe('waiting');
    const second = await post(jobPath(ref('p-1'), 'promote'));
    expect(second.status).toBe(409);
  });

  it('removes a job (reply job: null); removing it again is a 404', async () => {
    await failedJob('rm-1');
    const res = await post(jobPath(ref('rm-1'), 'remove'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ action: 'remove', job: null });
    expect(await Job.fromId(queue, 'rm-1')).toBeUndefined();
    const again = await post(jobPath(ref('rm-1'), 'remove'));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('job_not_found');
  });

  it('removes a parent with its children (BullMQ removes the whole flow, no orphans)', async () => {
    const { FlowProducer } = await import('bullmq');
    const flows = new FlowProducer({ connection, prefix });
    await flows.add({ name: 'parent', queueName: Q, opts: { jobId: 'flow-p' }, children: [{ name: 'child', queueName: Q, opts: { jobId: 'flow-c' } }] });
    await flows.close();
    const res = await post(jobPath(ref('flow-p'), 'remove'));
    expect(res.status).toBe(200);
    expect(await Job.fromId(queue, 'flow-p')).toBeUndefined();
    expect(await Job.fromId(queue, 'flow-c')).toBeUndefined();
  });

  it('remove racing a worker that takes the job: removed, or 409 and processed — never a hash without its list entry', async () => {
    const q = new Queue('act-race', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    await q.add('seed', {}, { jobId: 'race-seed' });
    await service.source.queueRegistry.refresh();
    const outcomes: number[] = [];
    for (let round = 0; round < 10; round++) {
      const id = `race-${round}`;
      await q.add('r', {}, { jobId: id });
      const worker = new Worker('act-race', async () => sleep(50), { connection, prefix, autorun: false });
      // The worker starts taking jobs as the remove is sent.
      const running = worker.run().catch(() => undefined);
      const res = await post(jobPath(ref(id, 'act-race'), 'remove'));
      await sleep(200);
      await worker.close();
      await running;
      outcomes.push(res.status);
      const hash = await redis.exists(`${prefix}:act-race:${id}`);
      const lists = await Promise.all(['wait', 'active'].map((l) => redis.lpos(`${prefix}:act-race:${l}`, id)));
      const sets = await Promise.all(['completed', 'failed', 'delayed', 'prioritized'].map((z) => redis.zscore(`${prefix}:act-race:${z}`, id)));
      const placed = [...lists, ...sets].filter((v) => v !== null).length;
      if (res.status === 200) {
        expect([id, hash, placed]).toEqual([id, 0, 0]);
      } else {
        expect([id, res.status, res.body.error.code]).toEqual([id, 409, 'wrong_state']);
        // Not removed: the job exists in exactly one state.
        expect([id, hash, placed]).toEqual([id, 1, 1]);
      }
    }
    expect(outcomes.every((s) => s === 200 || s === 409)).toBe(true);
  }, 30_000);

  it('refuses to remove a running job with a 409, and the job keeps running', async () => {
    const q = new Queue('act-busy', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker('act-busy', async () => gate, { connection, prefix });
    closers.push(() => worker.close());
    await q.add('busy', {}, { jobId: 'busy-1' });
    await waitFor('the job runs', async () => (await q.getJobState('busy-1')) === 'active');
    await service.source.queueRegistry.refresh();
    const res = await post(jobPath(ref('busy-1', 'act-busy'), 'remove'));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('it is active');
    expect(await q.getJobState('busy-1')).toBe('active');
    release();
    await waitFor('it completes', async () => (await q.getJobState('busy-1')) === 'completed');
  });
});

describe('cancel', () => {
  it('aborts the processor through enableRemoteCancel; the job fails with the reason; a second cancel is a 409', async () => {
    const q = new Queue('act-cancel', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    let abortedAt = 0;
    const worker = new Worker(
      'act-cancel',
      (_job, _token, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            abortedAt = Date.now();
            reject(new Error(`cancelled: ${String(signal.reason)}`));
          });
        }),
      { connection, prefix }
    );
    closers.push(() => worker.close());
    const remote = await enableRemoteCancel(worker, { connection, prefix });
    closers.push(() => remote.close());
    await q.add('long', {}, { jobId: 'c-1' });
    await waitFor('the job runs', async () => (await q.getJobState('c-1')) === 'active');
    await service.source.queueRegistry.refresh();

    const asked = Date.now();
    const res = await post(jobPath(ref('c-1', 'act-cancel'), 'cancel'), { reason: 'operator said stop' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ action: 'cancel', delivered: 1 });
    await waitFor('the processor sees the abort', () => abortedAt > 0, 5000);
    expect(abortedAt - asked).toBeLessThan(1000);
    await waitFor('the job fails', async () => (await q.getJobState('c-1')) === 'failed');
    const job = await Job.fromId(q, 'c-1');
    expect(job!.failedReason).toContain('operator said stop');
    const again = await post(jobPath(ref('c-1', 'act-cancel'), 'cancel'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('wrong_state');
  }, 20_000);

  it('answers 409 no_listener when no worker of the queue accepts remote cancel', async () => {
    const q = new Queue('act-nocancel', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker('act-nocancel', async () => gate, { connection, prefix });
    closers.push(() => worker.close());
    await q.add('long', {}, { jobId: 'nc-1' });
    await waitFor('the job runs', async () => (await q.getJobState('nc-1')) === 'active');
    await service.source.queueRegistry.refresh();
    const res = await post(jobPath(ref('nc-1', 'act-nocancel'), 'cancel'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('no_listener');
    expect(res.body.error.message).toContain('no worker of queue "act-nocancel" accepts remote cancel');
    release();
  }, 20_000);
});

describe('queue actions', () => {
  it('pause stops a live worker from taking jobs; resume lets it go on', async () => {
    const q = new Queue('act-pause', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    const done: string[] = [];
    const worker = new Worker('act-pause', async (job) => void done.push(job.id!), { connection, prefix });
    closers.push(() => worker.close());
    await q.add('first', {}, { jobId: 'pz-1' });
    await waitFor('the first job', () => done.includes('pz-1'));
    await service.source.queueRegistry.refresh();

    const paused = await post(queueActionPath(queueAddress('act-pause'), 'pause'));
    expect(paused.status).toBe(200);
    expect(QueueActionResponseSchema.parse(paused.body)).toMatchObject({ action: 'pause', paused: true, touched: 0 });
    expect(await q.isPaused()).toBe(true);
    await q.add('second', {}, { jobId: 'pz-2' });
    await sleep(700);
    expect(done).not.toContain('pz-2');

    const resumed = await post(queueActionPath(queueAddress('act-pause'), 'resume'));
    expect(resumed.body).toMatchObject({ paused: false });
    await waitFor('the second job after resume', () => done.includes('pz-2'));
  }, 20_000);

  it('retry-failed retries at most `limit` failed jobs, oldest first, and says how many', async () => {
    const q = new Queue('act-bulk', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    await q.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: 'bad', data: {}, opts: { jobId: `b-${i}` } })));
    await process(q, async () => (await q.getFailedCount()) === 30);
    await service.source.queueRegistry.refresh();
    const res = await post(queueActionPath(queueAddress('act-bulk'), 'retry-failed'), { limit: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'retry-failed', touched: 10 });
    expect(await q.getFailedCount()).toBe(20);
    expect(await q.getWaitingCount()).toBe(10);
  }, 20_000);

  it('retry-failed on 10,000 failed jobs retries them all in batches of 1,000', async () => {
    const q = new Queue('act-10k', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    for (let i = 0; i < 10; i++) {
      await q.addBulk(Array.from({ length: 1000 }, (_, j) => ({ name: 'bad', data: {}, opts: { jobId: `t-${i}-${j}` } })));
    }
    const worker = new Worker('act-10k', async () => Promise.reject(new Error('bad')), { connection, prefix, concurrency: 100 });
    await waitFor('10,000 failures', async () => (await q.getFailedCount()) === 10_000, 60_000);
    await worker.close();
    await service.source.queueRegistry.refresh();
    const res = await post(queueActionPath(queueAddress('act-10k'), 'retry-failed'), { limit: 10_000 });
    expect(res.body).toMatchObject({ touched: 10_000 });
    expect(await q.getFailedCount()).toBe(0);
    expect(await q.getWaitingCount()).toBe(10_000);
    // Gone now, so the keyspace checks below stay quick.
    await q.obliterate({ force: true });
  }, 90_000);

  it('clean removes at most `limit` finished jobs older than the age given', async () => {
    const q = new Queue('act-clean', { connection, prefix });
    closers.push(() => q.obliterate({ force: true }).finally(() => q.close()));
    await q.addBulk(Array.from({ length: 8 }, (_, i) => ({ name: 'ok', data: {}, opts: { jobId: `k-${i}` } })));
    await process(q, async () => (await q.getCompletedCount()) === 8);
    await service.source.queueRegistry.refresh();
    const young = await post(queueActionPath(queueAddress('act-clean'), 'clean'), { state: 'SUCCESS', olderThanMs: 3_600_000, limit: 100 });
    expect(young.body).toMatchObject({ touched: 0 });
    const res = await post(queueActionPath(queueAddress('act-clean'), 'clean'), { state: 'SUCCESS', olderThanMs: 0, limit: 5 });
    expect(res.body).toMatchObject({ action: 'clean', touched: 5 });
    expect(await q.getCompletedCount()).toBe(3);
  }, 20_000);
});

describe('cached readings after a write', () => {
  it('the status right after an action shows it, however long the snapshot cache is', async () => {
    const cached = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_SNAPSHOT_TTL_MS: '60000' });
    try {
      await cached.source.queueRegistry.refresh();
      const paused = async () =>
        (await getJson(cached, '/api/settings/jobs/status')).body.queues.find((q: { name: string }) => q.name === Q).paused;
      expect(await paused()).toBe(false);
      const res = await getJson(cached, queueActionPath(queueAddress(), 'pause'), { method: 'POST', headers: AUTH });
      expect(res.status).toBe(200);
      expect(await paused()).toBe(true);
      await getJson(cached, queueActionPath(queueAddress(), 'resume'), { method: 'POST', headers: AUTH });
      expect(await paused()).toBe(false);
    } finally {
      await cached.close();
    }
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['an unknown job action', () => jobPath(ref('seed'), 'explode'), undefined, 404, 'not_found'],
    ['a malformed job key', () => '/api/jobs/bullmq:x/retry', undefined, 400, 'invalid_job_key'],
    ['a body on retry', () => jobPath(ref('seed'), 'retry'), { force: true }, 400, 'invalid_body'],
    ['a too long cancel reason', () => jobPath(ref('seed'), 'cancel'), { reason: 'x'.repeat(501) }, 400, 'invalid_body'],
    ['an unknown queue action', () => `/api/queues/${Q}/drain`, undefined, 404, 'not_found'],
    ['retry-failed over 10,000', () => queueActionPath(queueAddress(), 'retry-failed'), { limit: 10_001 }, 400, 'invalid_body'],
    ['clean without a state', () => queueActionPath(queueAddress(), 'clean'), { olderThanMs: 0, limit: 1 }, 400, 'invalid_body'],
    ['clean with a BullMQ state name', () => queueActionPath(queueAddress(), 'clean'), { state: 'completed', olderThanMs: 0, limit: 1 }, 400, 'invalid_body'],
    ['an unknown queue', () => queueActionPath(queueAddress('nope'), 'pause'), undefined, 404, 'unknown_queue'],
    ['a malformed queue key', () => '/api/queues/a:b/pause', undefined, 400, 'invalid_query'],
  ])('%s', async (_what, path, body, status, code) => {
    const before = await keyspaceDigest(redis, prefix);
    const res = await post(path(), body);
    expect([res.status, res.body.error?.code]).toEqual([status, code]);
    expect(await changedSince(before)).toEqual([]);
  });
});

describe('read-only mode and the audit trail', () => {
  it('JOBSCOPE_READ_ONLY refuses every write with 403 and writes nothing', async () => {
    const readOnly = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_READ_ONLY: 'true' });
    try {
      await readOnly.source.queueRegistry.refresh();
      const before = await keyspaceDigest(redis, prefix);
      for (const path of [jobPath(ref('seed'), 'retry'), queueActionPath(queueAddress(), 'pause'), '/api/jobs']) {
        const res = await getJson(readOnly, path, { method: 'POST', headers: AUTH, body: JSON.stringify({ queue: Q, name: 'x' }) });
        expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'read_only']);
      }
      expect(await changedSince(before)).toEqual([]);
      expect((await getJson(readOnly, '/api/settings/jobs/status')).status).toBe(200);
    } finally {
      await readOnly.close();
    }
  });

  it('records every write with the Grafana user of the proxied call, newest first', async () => {
    await failedJob('au-1');
    await post(jobPath(ref('au-1'), 'retry'));
    await post(jobPath(ref('au-1'), 'retry'));
    await getJson(service, jobPath(ref('au-1'), 'retry'), { method: 'POST', headers: { 'x-grafana-context': GRAFANA_USER } });
    const res = await getJson(service, '/api/audit?limit=3');
    expect(res.status).toBe(200);
    const entries = res.body.entries.map((e: unknown) => AuditEntrySchema.parse(e));
    expect(entries.map((e: { outcome: string; status: number; user: string }) => [e.outcome, e.status, e.user])).toEqual([
      ['rejected', 401, 'unauthenticated'],
      ['rejected', 409, 'ana'],
      ['ok', 200, 'ana'],
    ]);
    expect(entries[2]).toMatchObject({ action: 'job.retry', target: `bullmq:${prefix}:${Q}:au-1`, role: 'Editor' });
    expect(entries[1].detail).toContain('cannot retry');
  });
});
