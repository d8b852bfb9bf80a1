import { FlowProducer, Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import {
  RESULT_EXCERPT_CHARS,
  StatusResponseSchema,
  TRACEBACK_EXCERPT_CHARS,
  type JobState,
  type JobSummary,
  type StatusResponse,
} from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { sleep, waitFor } from './helpers/wait';

/**
 * Real BullMQ queues with jobs in every state, read through the status route. BullMQ's own API is the oracle for
 * counts, membership and job fields; the expected order comes from the order the test created, started and finished
 * the jobs in.
 */

const STATUS = '/api/settings/jobs/status';
const Q_RUN = 'alpha-running';
const Q_DONE = 'gamma-finished';
const Q_LEGACY = 'legacy-v5';
const Q_PAUSED = 'paused-q';
const Q_UNI = '📦-队列';
const QUEUE_NAMES = [Q_RUN, Q_DONE, Q_LEGACY, Q_PAUSED, Q_UNI];
const UNICODE_JOB_NAME = '发送邮件 ✉️';
const CUSTOM_ID = 'order-🚀-1';
const LEGACY_ID = 'v5-legacy-1';
const ONE_MB = 1024 * 1024;

const connection = sharedConnection();
const prefix = testPrefix('status');
const key = (queue: string, id: string) => `${queue}/${id}`;
const jobKey = (j: Pick<JobSummary, 'queue' | 'id'>) => key(j.queue, j.id);
/** Timestamps are ms: a short pause keeps creation/start/finish times distinct, so the expected order is exact. */
const tick = () => sleep(4);

let redis: Redis;
let service: Service;
const queues: Record<string, Queue> = {};
const workers: Worker[] = [];
let flows: FlowProducer;
let releaseHeldJobs: () => void = () => undefined;

// What the test did, in the order it did it: the source of the expected order.
const runningStarted: string[] = [];
const pendingCreated: string[] = []; // wait + legacy paused: newest first expected
const prioritizedExpected: string[] = []; // filled with the order BullMQ will run them in
const delayedExpected: string[] = [];
const waitingChildrenCreated: string[] = [];
const failedFinished: string[] = [];
const completedFinished: string[] = [];

async function stateOf(queue: string, id: string): Promise<string> {
  return queues[queue].getJobState(id);
}

async function finish(name: string, opts: Parameters<Queue['add']>[2] = {}): Promise<void> {
  const job = await queues[Q_DONE].add(name, { n: name }, opts);
  const state = await waitFor(`job ${name} to finish`, async () => {
    const s = await stateOf(Q_DONE, job.id!);
    return s === 'completed' || s === 'failed' ? s : null;
  });
  (state === 'failed' ? failedFinished : completedFinished).push(key(Q_DONE, job.id!));
  await tick();
}

async function status(query = ''): Promise<StatusResponse> {
  const res = await getJson(service, `${STATUS}${query}`);
  expect(res.status).toBe(200);
  return StatusResponseSchema.parse(res.body);
}

/** Code points, not UTF-16 units: the contract promises characters. */
const cut = (s: string | null | undefined, n: number) => (s == null ? null : Array.from(s).slice(0, n).join(''));

beforeAll(async () => {
  redis = new Redis(connection);
  for (const name of QUEUE_NAMES) {
    queues[name] = new Queue(name, { connection, prefix });
  }

  // RUNNING: two jobs held by a worker until afterAll; started one after the other.
  const held = new Promise<void>((resolve) => (releaseHeldJobs = resolve));
  const holder = new Worker(
    Q_RUN,
    async (job) => {
      await job.updateProgress({ pct: 42 });
      await held;
      return 'released';
    },
    { connection, prefix, concurrency: 2, name: 'holder-1' }
  );
  workers.push(holder);
  // run-1 is created first but starts last (it is delayed a little): RUNNING is ordered by start, not creation.
  await holder.waitUntilReady();
  await waitFor('the holder worker to run', () => holder.isRunning());
  const runLate = await queues[Q_RUN].add('run-1', {}, { delay: 400 });
  await tick();
  const runEarly = await queues[Q_RUN].add('run-2', {});
  for (const job of [runEarly, runLate]) {
    await waitFor(`${job.name} to be active with progress`, async () => {
      const j = await Job.fromId(queues[Q_RUN], job.id!);
      return (await stateOf(Q_RUN, job.id!)) === 'active' && (j?.progress as { pct?: number })?.pct === 42;
    });
    runningStarted.push(key(Q_RUN, job.id!));
  }
  const [late, early] = await Promise.all([Job.fromId(queues[Q_RUN], runLate.id!), Job.fromId(queues[Q_RUN], runEarly.id!)]);
  expect(late!.timestamp).toBeLessThan(early!.timestamp);
  expect(late!.processedOn!).toBeGreaterThan(early!.processedOn!);
  await tick();

  // FAILURE / SUCCESS: a worker that fails or returns by job name; each job finishes before the next is added.
  const finisher = new Worker(
    Q_DONE,
    async (job) => {
      if (job.name === 'will-fail') {
        throw new Error(`boom on attempt ${job.attemptsMade + 1} ${'💥'.repeat(400)}`);
      }
      if (job.name === 'fail-fast') {
        throw new Error('fast failure');
      }
      if (job.name === 'big-result') {
        return '界'.repeat(1000);
      }
      return { ok: true, name: job.name };
    },
    { connection, prefix, name: 'finisher' }
  );
  workers.push(finisher);
  await finish('will-fail', { attempts: 2, backoff: { type: 'fixed', delay: 20 } });
  await finish('big-result');
  for (let i = 1; i <= 6; i++) {
    await finish(`done-${i}`);
  }
  await finish('small-result');
  await finish('fail-fast');

  // PENDING / DELAYED on a queue with a unicode name and no running worker.
  const uni = queues[Q_UNI];
  const custom = await uni.add(UNICODE_JOB_NAME, { to: 'ü@example.com' }, { jobId: CUSTOM_ID });
  pendingCreated.push(key(Q_UNI, custom.id!));
  await tick();
  const big = await uni.add('big-payload', { blob: 'x'.repeat(ONE_MB) });
  pendingCreated.push(key(Q_UNI, big.id!));
  await tick();
  const prio5 = await uni.add('prio-5', {}, { priority: 5 });
  await tick();
  const prio1 = await uni.add('prio-1', {}, { priority: 1 });
  await tick();
  const prio5b = await uni.add('prio-5b', {}, { priority: 5 });
  prioritizedExpected.push(...[prio1, prio5, prio5b].map((j) => key(Q_UNI, j.id!)));
  const d60 = await uni.add('delay-60s', {}, { delay: 60_000 });
  const d30 = await uni.add('delay-30s', {}, { delay: 30_000 });
  const d90 = await uni.add('delay-90s', {}, { delay: 90_000 });
  delayedExpected.push(...[d30, d60, d90].map((j) => key(Q_UNI, j.id!)));
  await tick();
  // A named worker that does not run: it shows in CLIENT LIST without taking jobs.
  const watcher = new Worker(Q_UNI, async () => undefined, { connection, prefix, name: 'idle-watcher', autorun: false });
  workers.push(watcher);
  await watcher.waitUntilReady();

  // WAITING_CHILDREN: flow parents on Q_DONE whose child waits on Q_UNI (no worker runs it).
  flows = new FlowProducer({ connection, prefix });
  for (const n of [1, 2]) {
    const tree = await flows.add({
      name: `parent-${n}`,
      queueName: Q_DONE,
      data: {},
      children: [{ name: `child-${n}`, queueName: Q_UNI, data: {} }],
    });
    waitingChildrenCreated.push(key(Q_DONE, tree.job.id!));
    pendingCreated.push(key(Q_UNI, tree.children![0].job.id!));
    await tick();
  }

  // A paused queue (v6: jobs stay in `wait`, meta.paused is set).
  await queues[Q_PAUSED].pause();
  const whilePaused = await queues[Q_PAUSED].add('while-paused', {});
  pendingCreated.push(key(Q_PAUSED, whilePaused.id!));
  await tick();

  // A legacy v5 `paused` list: a job hash copied from a real job, its id pushed on `<q>:paused`.
  const template = await queues[Q_LEGACY].add('legacy-job', { v: 5 });
  const fields = await redis.hgetall(`${prefix}:${Q_LEGACY}:${template.id}`);
  await template.remove();
  await redis.hset(`${prefix}:${Q_LEGACY}:${LEGACY_ID}`, { ...fields, timestamp: String(Date.now()) });
  await redis.rpush(`${prefix}:${Q_LEGACY}:paused`, LEGACY_ID);
  pendingCreated.push(key(Q_LEGACY, LEGACY_ID));

  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 25_000);

afterAll(async () => {
  releaseHeldJobs();
  await service?.close();
  await Promise.allSettled(workers.map((w) => w.close(true)));
  await flows?.close();
  await Promise.allSettled(Object.values(queues).map((q) => q.obliterate({ force: true }).finally(() => q.close())));
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('GET /api/settings/jobs/status on real BullMQ queues', () => {
  let full: StatusResponse;
  beforeAll(async () => {
    full = await status('?limit=200');
  });

  it('lists every job in state order, each state in its own order', () => {
    const expected = [
      ...[...runningStarted].reverse(), // most recently started first
      ...[...pendingCreated].reverse(), // wait + legacy paused: newest first
      ...prioritizedExpected, // then prioritized: next to run first
      ...delayedExpected, // next due first
      ...[...waitingChildrenCreated].reverse(), // newest first
      ...[...failedFinished].reverse(), // latest finished first
      ...[...completedFinished].reverse(),
    ];
    expect(full.jobs.map(jobKey)).toEqual(expected);
    const states = full.jobs.map((j) => j.state);
    const firstIndex = (s: JobState) => states.indexOf(s);
    expect(['RUNNING', 'PENDING', 'DELAYED', 'WAITING_CHILDREN', 'FAILURE', 'SUCCESS'].map((s) => firstIndex(s as JobState))).toEqual(
      [...new Set(states)].map((s) => firstIndex(s))
    );
    expect(full.stale).toBe(false);
    expect(full.redis.ok).toBe(true);
    expect(full.redis.error).toBeNull();
    expect(full.redis.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(full.generatedAt)).toBe(full.generatedAtMs);
  });

  it('counts and lists exactly what BullMQ reports per queue and state', async () => {
    const natives: Record<JobState, string[]> = {
      RUNNING: ['active'],
      PENDING: ['wait', 'prioritized'],
      DELAYED: ['delayed'],
      WAITING_CHILDREN: ['waiting-children'],
      FAILURE: ['failed'],
      SUCCESS: ['completed'],
    };
    expect(full.queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    for (const name of QUEUE_NAMES) {
      const q = queues[name];
      const summary = full.queues.find((s) => s.name === name)!;
      const c = await q.getJobCounts('active', 'wait', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed');
      const legacyPaused = await redis.llen(`${prefix}:${name}:paused`);
      expect(summary.counts).toEqual({
        RUNNING: c.active,
        PENDING: c.wait + c.prioritized + legacyPaused,
        DELAYED: c.delayed,
        WAITING_CHILDREN: c['waiting-children'],
        FAILURE: c.failed,
        SUCCESS: c.completed,
      });
      expect(summary.nativeCounts.paused).toBe(legacyPaused);
      expect(summary.prefix).toBe(prefix);
      expect(summary.version).toMatch(/^bullmq:/);
      for (const [state, types] of Object.entries(natives)) {
        const ids = (await q.getJobs(types as never)).map((j) => j.id!);
        if (state === 'PENDING') {
          ids.push(...(await redis.lrange(`${prefix}:${name}:paused`, 0, -1)));
        }
        const listed = full.jobs.filter((j) => j.queue === name && j.state === state).map((j) => j.id);
        expect({ queue: name, state, ids: listed.sort() }).toEqual({ queue: name, state, ids: ids.sort() });
      }
    }
  });

  it('reports each job as BullMQ stores it, with excerpts cut by characters', async () => {
    for (const summary of full.jobs) {
      const job = (await Job.fromId(queues[summary.queue], summary.id))!;
      expect(job).toBeTruthy();
      const pendingLike = summary.state === 'PENDING' || summary.state === 'DELAYED';
      const finished = summary.state === 'FAILURE' || summary.state === 'SUCCESS';
      expect({ key: jobKey(summary), fields: summary }).toMatchObject({
        key: jobKey(summary),
        fields: {
          name: job.name,
          source: 'bullmq',
          createdAtMs: job.timestamp,
          createdAt: new Date(job.timestamp).toISOString(),
          startedAtMs: pendingLike ? null : (job.processedOn ?? null),
          finishedAtMs: finished ? job.finishedOn : null,
          attemptsMade: job.attemptsMade,
          worker: job.processedBy ?? null,
          error: cut(job.failedReason || null, RESULT_EXCERPT_CHARS),
          traceback: cut(job.stacktrace?.length ? job.stacktrace[job.stacktrace.length - 1] : null, TRACEBACK_EXCERPT_CHARS),
          result: job.returnvalue == null ? null : cut(JSON.stringify(job.returnvalue), RESULT_EXCERPT_CHARS),
        },
      });
      if (summary.startedAt !== null) {
        expect(summary.startedAt).toBe(new Date(summary.startedAtMs!).toISOString());
      }
      if (finished) {
        expect(summary.finishedAt).toBe(new Date(job.finishedOn!).toISOString());
        expect(summary.durationMs).toBe(job.finishedOn! - job.processedOn!);
      }
      expect(summary).not.toHaveProperty('data');
    }
  });

  it('shows retries, tracebacks, big results and progress the way a user needs them', () => {
    const byName = (name: string) => full.jobs.find((j) => j.name === name)!;
    const failed = byName('will-fail');
    expect(failed.state).toBe('FAILURE');
    expect(failed.nativeState).toBe('failed');
    expect(failed.attemptsMade).toBe(2);
    expect(failed.worker).toBe('finisher');
    expect(Array.from(failed.error!)).toHaveLength(RESULT_EXCERPT_CHARS);
    expect(failed.error!.startsWith('boom on attempt 2 💥')).toBe(true);
    // The newest attempt's trace, not the first one's.
    expect(failed.traceback!.startsWith('Error: boom on attempt 2 ')).toBe(true);
    expect(Array.from(failed.traceback!)).toHaveLength(TRACEBACK_EXCERPT_CHARS);
    expect(failed.traceback).not.toContain('\uFFFD');

    const bigResult = byName('big-result');
    expect(bigResult.result).toBe(`"${'界'.repeat(RESULT_EXCERPT_CHARS - 1)}`);
    expect(bigResult.attemptsMade).toBe(1);
    expect(byName('small-result').result).toBe('{"ok":true,"name":"small-result"}');

    for (const running of full.jobs.filter((j) => j.state === 'RUNNING')) {
      expect(running.progress).toEqual({ pct: 42 });
      expect(running.worker).toBe('holder-1');
      expect(running.durationMs).toBeGreaterThanOrEqual(0);
      expect(running.finishedAt).toBeNull();
    }

    const custom = full.jobs.find((j) => j.id === CUSTOM_ID)!;
    expect(custom).toMatchObject({ queue: Q_UNI, name: UNICODE_JOB_NAME, state: 'PENDING', nativeState: 'wait' });
    expect(full.jobs.filter((j) => j.queue === Q_UNI && j.nativeState === 'prioritized').map((j) => j.priority)).toEqual([1, 5, 5]);

    const delayed = full.jobs.filter((j) => j.state === 'DELAYED');
    for (const j of delayed) {
      const ms = Number(/delay-(\d+)s/.exec(j.name)![1]) * 1000;
      expect(j.dueAtMs).toBe(j.createdAtMs! + ms);
      expect(j.startedAt).toBeNull();
    }
  });

  it('never ships job payloads: a 1 MB data field leaves the reply small', async () => {
    const res = await service.app.request(`${STATUS}?limit=200`);
    const text = await res.text();
    expect(text).toContain('big-payload');
    expect(text.length).toBeLessThan(100_000);
  });

  it('counts a legacy v5 `paused` list as PENDING', () => {
    const legacy = full.jobs.find((j) => j.id === LEGACY_ID)!;
    expect(legacy).toMatchObject({ queue: Q_LEGACY, name: 'legacy-job', state: 'PENDING', nativeState: 'paused' });
    const summary = full.queues.find((q) => q.name === Q_LEGACY)!;
    expect(summary.nativeCounts).toMatchObject({ paused: 1, wait: 0 });
    expect(summary.counts.PENDING).toBe(1);
  });

  it('flags paused queues as BullMQ does', async () => {
    for (const name of QUEUE_NAMES) {
      expect({ name, paused: full.queues.find((q) => q.name === name)!.paused }).toEqual({
        name,
        paused: await queues[name].isPaused(),
      });
    }
    expect(full.queues.find((q) => q.name === Q_PAUSED)!.paused).toBe(true);
  });

  it('reports workers per queue from one CLIENT LIST, with their names', async () => {
    for (const name of QUEUE_NAMES) {
      const clients = await queues[name].getWorkers();
      const names = clients.map((c) => /:w:(.*)$/.exec((c as { rawname?: string }).rawname ?? '')?.[1] ?? null).sort();
      const summary = full.queues.find((q) => q.name === name)!;
      expect({ name, workers: summary.workers }).toEqual({ name, workers: clients.length });
      const items = full.workers.items.filter((w) => w.queue === name && w.prefix === prefix);
      expect({ name, names: items.map((w) => w.name).sort() }).toEqual({ name, names });
    }
    expect(full.workers.status).toBe('ok');
    const watcher = full.workers.items.find((w) => w.queue === Q_UNI)!;
    expect(watcher).toMatchObject({ prefix, name: 'idle-watcher' });
    expect(watcher.addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(watcher.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  describe('filters', () => {
    const only = (pred: (j: JobSummary) => boolean) => full.jobs.filter(pred).map(jobKey);

    it.each(QUEUE_NAMES)('queue=%s lists only that queue, in the same order', async (name) => {
      const reply = await status(`?limit=200&queue=${encodeURIComponent(name)}`);
      expect(reply.jobs.map(jobKey)).toEqual(only((j) => j.queue === name));
      expect(reply.filter).toEqual({ queue: name, queues: [name], state: null, name: null, fromMs: null, toMs: null });
      // All queues stay listed: the UI builds its queue picker from them.
      expect(reply.queues).toHaveLength(QUEUE_NAMES.length);
    });

    it.each(['RUNNING', 'PENDING', 'DELAYED', 'WAITING_CHILDREN', 'FAILURE', 'SUCCESS'] as JobState[])(
      'state=%s lists only that state, in the same order',
      async (state) => {
        const reply = await status(`?limit=200&state=${state}`);
        const expected = only((j) => j.state === state);
        expect(expected.length).toBeGreaterThan(0);
        expect(reply.jobs.map(jobKey)).toEqual(expected);
      }
    );

    it('combines queue and state, and applies the limit after filtering', async () => {
      const q = encodeURIComponent(Q_UNI);
      expect((await status(`?queue=${q}&state=DELAYED`)).jobs.map(jobKey)).toEqual(delayedExpected);
      expect((await status(`?queue=${q}&state=PENDING&limit=2`)).jobs.map(jobKey)).toEqual(
        only((j) => j.queue === Q_UNI && j.state === 'PENDING').slice(0, 2)
      );
      expect((await status(`?state=SUCCESS&limit=3`)).jobs.map(jobKey)).toEqual([...completedFinished].reverse().slice(0, 3));
    });

    it('a name BullMQ cannot have (":") is simply a queue nobody knows: the rule lives in the BullMQ source', async () => {
      const res = await getJson(service, `${STATUS}?queue=a:b`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('unknown_queue');
    });

    it('a queue nobody knows is a 404 naming the known ones (no cache entry, no Redis read per made-up name)', async () => {
      const res = await getJson(service, `${STATUS}?queue=no-such-queue`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('unknown_queue');
      expect(res.body.error.message).toContain('unknown queue "no-such-queue"; known queues:');
    });

    it.each([
      ['state=running', 'state must be one of'],
      ['state=', 'state'],
      ['queue=%20', 'must not be empty'],
      ['queue=a,,b', 'must not be empty'],
      ['from=yesterday', 'from must be epoch milliseconds or an ISO 8601 time'],
      ['from=2000&to=1000', 'from must not be after to'],
      ['cursor=abc', 'cursor needs a state'],
      ['state=FAILURE&cursor=abc', 'cursor: not a cursor of this service'],
      ['sort=asc', 'sort'],
      ['state=FAILURE&state=SUCCESS', 'state'],
    ])('rejects %s with a 400 that says why', async (query, message) => {
      const res = await getJson(service, `${STATUS}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_query');
      expect(res.body.error.message).toContain(message);
    });
  });

  describe('limit', () => {
    it('defaults to 20: the first 20 of the full list', async () => {
      expect(full.jobs.length).toBeGreaterThan(20);
      const reply = await status();
      expect(reply.limit).toBe(20);
      expect(reply.jobs.map(jobKey)).toEqual(full.jobs.slice(0, 20).map(jobKey));
    });

    it.each([1, 3, 7, 12, 200])('limit=%i returns the first %i', async (limit) => {
      const reply = await status(`?limit=${limit}`);
      expect(reply.jobs.map(jobKey)).toEqual(full.jobs.slice(0, limit).map(jobKey));
    });

    it.each([
      ['201', 'limit must be at most 200'],
      ['0', 'limit must be at least 1'],
      ['-5', 'limit must be at least 1'],
      ['1.5', 'limit must be a whole number'],
      ['ten', 'limit'],
    ])('limit=%s is a 400, not clamped', async (limit, message) => {
      const res = await getJson(service, `${STATUS}?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.message).toContain(message);
    });
  });
});

describe('the same answer however queues are batched into script calls', () => {
  it.each(['1', '2', '3'])('JOBSCOPE_QUEUES_PER_CALL=%s merges batches like one call', async (perCall) => {
    const batched = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_QUEUES_PER_CALL: perCall });
    try {
      await batched.source.queueRegistry.refresh();
      for (const query of ['?limit=200', '?limit=7', '?limit=3&state=PENDING', '?state=SUCCESS&limit=4']) {
        const one = await status(query);
        const res = await getJson(batched, `${STATUS}${query}`);
        expect(res.status).toBe(200);
        expect({ query, jobs: res.body.jobs.map(jobKey) }).toEqual({ query, jobs: one.jobs.map(jobKey) });
        expect(res.body.queues.map((q: { name: string; counts: unknown }) => [q.name, q.counts])).toEqual(
          one.queues.map((q) => [q.name, q.counts])
        );
      }
    } finally {
      await batched.close();
    }
  });
});

describe('snapshot sharing and TTL cache', () => {
  /** Counts script calls on the service's own client: each is one snapshot read of Redis. */
  function countSnapshots(svc: Service): () => number {
    const spy = jest.spyOn(svc.redis as unknown as Record<string, (...a: unknown[]) => unknown>, 'jobscopeSnapshot');
    const start = spy.mock.calls.length; // spyOn returns the existing spy when called again
    return () => spy.mock.calls.length - start;
  }

  it('concurrent and repeated requests within the TTL cost one snapshot', async () => {
    const cached = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_SNAPSHOT_TTL_MS: '60000' });
    try {
      await cached.source.queueRegistry.refresh();
      const calls = countSnapshots(cached);
      const burst = await Promise.all(Array.from({ length: 25 }, () => getJson(cached, STATUS)));
      expect(burst.every((r) => r.status === 200)).toBe(true);
      expect(new Set(burst.map((r) => r.body.generatedAtMs)).size).toBe(1);
      for (let i = 0; i < 10; i++) {
        expect((await getJson(cached, STATUS)).status).toBe(200);
      }
      expect(calls()).toBe(1);
      // Another query is another snapshot, shared the same way.
      await Promise.all(Array.from({ length: 5 }, () => getJson(cached, `${STATUS}?state=FAILURE`)));
      expect(calls()).toBe(2);
    } finally {
      await cached.close();
    }
  });

  it('builds a new snapshot once the TTL has passed', async () => {
    const cached = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_SNAPSHOT_TTL_MS: '200' });
    try {
      await cached.source.queueRegistry.refresh();
      const calls = countSnapshots(cached);
      const first = await getJson(cached, STATUS);
      await sleep(250);
      const second = await getJson(cached, STATUS);
      expect(calls()).toBe(2);
      expect(second.body.generatedAtMs).toBeGreaterThan(first.body.generatedAtMs);
      expect(second.body.ageMs).toBeLessThan(200);
    } finally {
      await cached.close();
    }
  });

  it('with TTL 0, concurrent requests still share the one snapshot being built', async () => {
    const calls = countSnapshots(service);
    const burst = await Promise.all(Array.from({ length: 10 }, () => getJson(service, STATUS)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(calls()).toBe(1);
  });

  it('with TTL 0 every request reads Redis (nothing served from cache)', async () => {
    const calls = countSnapshots(service);
    await getJson(service, STATUS);
    await getJson(service, STATUS);
    expect(calls()).toBe(2);
  });
});

describe('several prefixes holding queues of the same name', () => {
  const other = testPrefix('status-2');
  let both: Service;
  let otherQueue: Queue;

  beforeAll(async () => {
    otherQueue = new Queue(Q_DONE, { connection, prefix: other });
    await otherQueue.add('other-prefix-job', {});
    both = await startService({ JOBSCOPE_PREFIXES: `${prefix},${other}` });
    await both.source.queueRegistry.refresh();
  });

  afterAll(async () => {
    await both?.close();
    await otherQueue?.obliterate({ force: true }).finally(() => otherQueue.close());
    await deleteByPrefix(redis, other);
  });

  it.each(['1', '50'])('queue= lists the jobs of that queue under every prefix (queues per call %s)', async (perCall) => {
    const svc = await startService({ JOBSCOPE_PREFIXES: `${prefix},${other}`, JOBSCOPE_QUEUES_PER_CALL: perCall });
    try {
      await svc.source.queueRegistry.refresh();
      const res = await getJson(svc, `${STATUS}?limit=200&queue=${Q_DONE}`);
      expect(res.status).toBe(200);
      const names = res.body.jobs.map((j: JobSummary) => j.name);
      expect(names).toContain('other-prefix-job');
      expect(names).toContain('will-fail');
      expect(res.body.jobs.every((j: JobSummary) => j.queue === Q_DONE)).toBe(true);
      const counts = res.body.queues.filter((q: { name: string }) => q.name === Q_DONE);
      expect(counts.map((q: { prefix: string }) => q.prefix).sort()).toEqual([prefix, other].sort());
    } finally {
      await svc.close();
    }
  });
});
