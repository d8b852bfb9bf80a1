/**
 * The Celery source against real Celery 5 workers (Debian python3-celery) on a private redis-server, with Celery's
 * own API (AsyncResult, inspect) as the oracle. Skips, saying why, where python3-celery is not installed.
 */
import IORedis from 'ioredis';
import pino from 'pino';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { CeleryWorker, celeryMissing, celeryOracle } from '../../scripts/lib/celery-worker';
import { loadConfig } from '../src/config';
import { createService, type Service } from '../src/service';
import { startMonitor } from './helpers/monitor';
import { sleep, waitFor } from './helpers/wait';

const missing = celeryMissing();
const describeCelery = missing ? describe.skip : describe;
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`celery integration tests skipped: ${missing}`);
}

jest.setTimeout(120_000);

const TOKEN = 'celery-test-token';
const TASK = (name: string) => `jobscope_tasks.${name}`;

interface Started {
  redis: PrivateRedis;
  url: string;
  service: Service;
  workers: CeleryWorker[];
}

async function start(opts: { events: boolean; inspect?: boolean; workers?: number }): Promise<Started> {
  const redis = await PrivateRedis.start();
  const url = `${redis.url}/0`;
  const workers = await Promise.all(
    Array.from({ length: opts.workers ?? 1 }, (_, i) => CeleryWorker.start({ brokerUrl: url, hostname: `w${i + 1}@jobscope-test`, events: opts.events }))
  );
  const service = await createService(
    loadConfig({
      REDIS_URL: url,
      JOBSCOPE_SNAPSHOT_TTL_MS: '0',
      JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
      JOBSCOPE_API_TOKEN: TOKEN,
      JOBSCOPE_CELERY_BROKER_URL: url,
      JOBSCOPE_CELERY_INSPECT: opts.inspect === false ? 'false' : 'true',
      LOG_LEVEL: 'silent',
    }),
    pino({ level: 'silent' })
  );
  return { redis, url, service, workers };
}

async function stop(s: Started | undefined): Promise<void> {
  if (!s) {
    return;
  }
  await s.service.close();
  await Promise.all(s.workers.map((w) => w.stop(5000)));
  await s.redis.destroy();
}

async function status(s: Started, query = ''): Promise<any> {
  const res = await s.service.app.request(`/api/settings/jobs/status?${query.includes('limit=') ? '' : 'limit=200'}${query}`);
  expect(res.status).toBe(200);
  return res.json();
}

const send = (s: Started, task: string, args: unknown[] = [], extra: Record<string, unknown> = {}) =>
  celeryOracle<{ id: string }>(s.url, { op: 'send', task: TASK(task), args, ...extra }).then((r) => r.id);

/** Celery's own word, mapped to the user states jobscope documents. */
function userStateOf(celeryState: string, inspect: { active: string[]; reserved: string[]; scheduled: string[] }, id: string): string {
  if (inspect.active.includes(id)) return 'RUNNING';
  if (inspect.scheduled.includes(id)) return 'DELAYED';
  if (inspect.reserved.includes(id)) return 'PENDING';
  switch (celeryState) {
    case 'SUCCESS':
      return 'SUCCESS';
    case 'FAILURE':
    case 'REVOKED':
      return 'FAILURE';
    case 'RETRY':
      return 'DELAYED';
    case 'PENDING':
      return 'PENDING';
    default:
      return 'RUNNING';
  }
}

describeCelery.each([
  ['with task events (-E)', true],
  ['without events (remote-control inspect only)', false],
])('Celery source %s', (_label, events) => {
  let s: Started | undefined;
  beforeAll(async () => {
    s = await start({ events });
  });
  afterAll(() => stop(s));

  it('lists running, reserved, scheduled, failed and succeeded tasks as Celery itself reports them', async () => {
    const st = s!;
    const ids = {
      ok: await send(st, 'add', [2, 3]),
      fail: await send(st, 'fail', ['boom from test']),
      slow1: await send(st, 'slow', [8]),
      slow2: await send(st, 'slow', [8]),
      queued: await send(st, 'slow', [8]),
      eta: await send(st, 'add', [1, 1], { countdown: 120 }),
    };
    const all = Object.values(ids);
    // Settled: both slow tasks running on the 2-process worker, one waiting, the countdown held.
    const oracle = (await waitFor(
      'the worker to run two slow tasks',
      async () => {
        const inspect = await celeryOracle<{ active: string[]; reserved: string[]; scheduled: string[] }>(st.url, { op: 'inspect' });
        const states = await celeryOracle<Record<string, string>>(st.url, { op: 'states', ids: all });
        return inspect.active.length === 2 && states[ids.ok] === 'SUCCESS' && states[ids.fail] === 'FAILURE' ? { inspect, states } : null;
      },
      30_000
    ))!;
    const body = await waitFor(
      'jobscope to agree with Celery',
      async () => {
        const b = await status(st);
        const byId = new Map<string, any>(b.jobs.map((j: any) => [j.id, j]));
        return all.every((id) => byId.get(id)?.state === userStateOf(oracle.states[id], oracle.inspect, id)) ? b : null;
      },
      15_000
    );
    // Both sources with what they can do: Celery enqueues, retries and cancels; the rest answers 405 and is hidden.
    expect(body.sources).toEqual([
      {
        id: 'bullmq',
        label: 'BullMQ',
        supports: { enqueue: true, actions: ['retry', 'remove', 'promote', 'cancel', 'pause', 'resume', 'retry-failed', 'clean'] },
      },
      { id: 'celery', label: 'Celery', supports: { enqueue: true, actions: ['retry', 'cancel'] } },
    ]);
    const jobs = body.jobs.filter((j: any) => all.includes(j.id));
    // Membership: exactly the tasks sent (nothing else exists in this Redis).
    expect(jobs.map((j: any) => j.id).sort()).toEqual([...all].sort());
    // Order: by state, as the contract's display order.
    const order = ['RUNNING', 'PENDING', 'DELAYED', 'WAITING_CHILDREN', 'FAILURE', 'SUCCESS'];
    const ranks = jobs.map((j: any) => order.indexOf(j.state));
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => a - b));
    const ok = jobs.find((j: any) => j.id === ids.ok);
    expect(ok).toMatchObject({ source: 'celery', queue: 'celery', name: TASK('add'), nativeState: 'SUCCESS', result: '5', worker: 'w1@jobscope-test' });
    const fail = jobs.find((j: any) => j.id === ids.fail);
    expect(fail).toMatchObject({ state: 'FAILURE', nativeState: 'FAILURE', error: 'ValueError: boom from test' });
    expect(fail.traceback).toContain('ValueError: boom from test');
    expect(Array.from(fail.traceback as string).length).toBeLessThanOrEqual(500);
    const eta = jobs.find((j: any) => j.id === ids.eta);
    expect(eta).toMatchObject({ state: 'DELAYED', nativeState: 'SCHEDULED' });
    expect(Math.abs(eta.dueAtMs - Date.now() - 120_000)).toBeLessThan(15_000);
    const running = jobs.filter((j: any) => j.state === 'RUNNING');
    expect(running.map((j: any) => j.id).sort()).toEqual([...oracle.inspect.active].sort());
    expect(running.every((j: any) => j.nativeState === 'ACTIVE' && j.startedAtMs > 0)).toBe(true);
    // Counts per queue agree with the list.
    const queue = body.queues.find((q: any) => q.source === 'celery' && q.name === 'celery');
    expect(queue.counts).toMatchObject({ RUNNING: 2, DELAYED: 1, FAILURE: 1, SUCCESS: 1 });
    expect(queue.counts.PENDING).toBe(1);
    expect(queue.workers).toBe(1);
    // The detail drawer's read.
    const detail = await st.service.app.request(`/api/jobs/celery:db0:celery:${ids.fail}`);
    expect(detail.status).toBe(200);
    const d: any = await detail.json();
    expect(JSON.parse(d.data.text)).toEqual({ args: ['boom from test'], kwargs: {} });
    expect(d.failedReason).toBe('ValueError: boom from test');
    // Revoke the slow tasks so the worker is free for the next test.
    for (const id of [ids.slow1, ids.slow2, ids.queued, ids.eta]) {
      await celeryOracle(st.url, { op: 'revoke', id, terminate: true });
    }
  });

  it('enqueues a task that the real worker runs, and cancels (revoke + terminate) a running one', async () => {
    const st = s!;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const add = await st.service.app.request('/api/jobs', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ queue: 'celery', source: 'celery', name: TASK('add'), data: { args: [20, 22] } }),
    });
    expect(add.status).toBe(201);
    const added: any = await add.json();
    expect(added).toMatchObject({ source: 'celery', queue: 'celery', state: 'PENDING' });
    const got = await celeryOracle<{ result: unknown; state: string }>(st.url, { op: 'get', id: added.id, timeout: 20 });
    expect(got).toEqual({ result: 42, state: 'SUCCESS' });

    const slow = await send(st, 'slow', [30]);
    await waitFor('the slow task to run', async () => (await status(st, '&state=RUNNING')).jobs.some((j: any) => j.id === slow), 20_000);
    const cancel = (reason: string) =>
      st.service.app.request(`/api/jobs/celery:db0:celery:${slow}/cancel`, { method: 'POST', headers: auth, body: JSON.stringify({ reason }) });
    const [first, second] = await Promise.all([cancel('test'), cancel('test again')]);
    // Two users at once: one revoke goes out, the other is told it is under way.
    expect([first.status, second.status].sort()).toEqual([202, 409]);
    const revoked = await waitFor(
      'Celery to report the task revoked',
      async () => ((await celeryOracle<Record<string, string>>(st.url, { op: 'states', ids: [slow] }))[slow] === 'REVOKED' ? true : null),
      20_000
    );
    expect(revoked).toBe(true);
    await waitFor('jobscope to show it revoked', async () => (await status(st, '&state=FAILURE')).jobs.some((j: any) => j.id === slow && j.nativeState === 'REVOKED'), 10_000);
  });

  it('reruns a finished task from its stored arguments, once when two users retry at once', async () => {
    const st = s!;
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const id = await send(st, 'add', [4, 5]);
    await celeryOracle(st.url, { op: 'get', id, timeout: 20 });
    await waitFor('jobscope to see the result', async () => (await status(st, '&state=SUCCESS')).jobs.some((j: any) => j.id === id), 10_000);
    const retry = () => st.service.app.request(`/api/jobs/celery:db0:celery:${id}/retry`, { method: 'POST', headers: auth, body: '{}' });
    const answers = await Promise.all([retry(), retry()]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const got = await celeryOracle<{ result: unknown; state: string }>(st.url, { op: 'get', id, timeout: 20 });
    expect(got).toEqual({ result: 9, state: 'SUCCESS' });
    // Actions Celery has no equivalent for say so.
    const remove = await st.service.app.request(`/api/jobs/celery:db0:celery:${id}/remove`, { method: 'POST', headers: auth, body: '{}' });
    expect(remove.status).toBe(405);
    expect(((await remove.json()) as any).error.code).toBe('not_supported');
  });

  it("answers in the seed's own shape with ?compat=seed (Celery state names, seed order, top 20)", async () => {
    const st = s!;
    const slow = await send(st, 'slow', [20]);
    const failed = await send(st, 'fail', ['seed shape']);
    await celeryOracle(st.url, { op: 'get', id: failed, timeout: 20 });
    const body = (await waitFor(
      'the seed view to show the running task',
      async () => {
        const res = await st.service.app.request('/api/settings/jobs/status?compat=seed');
        expect(res.status).toBe(200);
        const b = (await res.json()) as { recentJobs: Array<Record<string, unknown>> };
        return b.recentJobs.some((j) => j.id === slow && j.state === 'RUNNING') ? b : null;
      },
      20_000
    ))!;
    expect(body.recentJobs.length).toBeLessThanOrEqual(20);
    expect(Object.keys(body.recentJobs[0]).sort()).toEqual(['id', 'name', 'result', 'state', 'timestamp', 'traceback', 'worker']);
    const rank: Record<string, number> = { RUNNING: 0, PENDING: 1, STARTED: 2, RETRY: 2, FAILURE: 3, REVOKED: 3, SUCCESS: 4 };
    const ranks = body.recentJobs.map((j) => rank[j.state as string]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(body.recentJobs.find((j) => j.id === failed)).toMatchObject({ state: 'FAILURE', result: 'ValueError: seed shape', name: TASK('fail') });
    await celeryOracle(st.url, { op: 'revoke', id: slow, terminate: true });
  });

  it('reads without SCAN, KEYS or writes on the request path (MONITOR)', async () => {
    const st = s!;
    await status(st); // warm: the first look starts the poller
    await sleep(500);
    const client = new IORedis(st.url);
    const commands: string[] = [];
    const monitor = await startMonitor(client, (args) => commands.push(`${args[0].toUpperCase()} ${args.slice(1).join(' ').slice(0, 80)}`));
    for (let i = 0; i < 5; i++) {
      await status(st);
      await st.service.app.request('/api/health');
    }
    await sleep(200);
    monitor.stop();
    client.disconnect();
    // BullMQ's background discovery looks for queues every 2 s while it has found none (this Redis holds only Celery):
    // off the request path and documented; any other SCAN or KEYS here would be a request reading the keyspace.
    const bullmqDiscovery = /^SCAN \d+ MATCH bull:/;
    expect(commands.filter((c) => /^(SCAN|KEYS)\b/.test(c) && !bullmqDiscovery.test(c))).toEqual([]);
    // The only writes are inspect's transient reply binding/list (and the workers' own traffic).
    const ours = commands.filter((c) => /^(SET|DEL|SADD|SREM|LPUSH|RPUSH|HSET|ZADD|EXPIRE)\b/.test(c) && !/celery-task-meta|unacked|_kombu\.binding\.celery(\.pidbox|ev)?\b/.test(c));
    for (const c of ours) {
      expect(c).toMatch(/reply\.celery\.pidbox/);
    }
  });
});

describeCelery('Celery source: stored results and Redis restarts', () => {
  let s: Started | undefined;
  afterAll(() => stop(s));

  it('indexes results stored before the service started, and rebuilds the index after Redis returns', async () => {
    const redis = await PrivateRedis.start();
    const url = `${redis.url}/0`;
    const seed = new IORedis(url);
    const old = Date.now() - 3600_000;
    const pipeline = seed.pipeline();
    for (let i = 0; i < 500; i++) {
      const meta = { status: i % 10 === 0 ? 'FAILURE' : 'SUCCESS', result: i % 10 === 0 ? { exc_type: 'ValueError', exc_message: [`n${i}`] } : i, traceback: null,
        date_done: new Date(old + i * 1000).toISOString().replace('Z', ''), name: TASK('add'), args: [i, 0], kwargs: {}, worker: 'w@x', retries: 0, queue: 'celery', task_id: `seed-${i}` };
      pipeline.setex(`celery-task-meta-seed-${i}`, 86400, JSON.stringify(meta));
    }
    await pipeline.exec();
    seed.disconnect();
    const service = await createService(
      loadConfig({ REDIS_URL: url, JOBSCOPE_SNAPSHOT_TTL_MS: '0', JOBSCOPE_DISCOVERY_INTERVAL_MS: '0', JOBSCOPE_CELERY_BROKER_URL: url, JOBSCOPE_CELERY_INSPECT: 'false' }),
      pino({ level: 'silent' })
    );
    s = { redis, url, service, workers: [] };
    const celery = service.registry.sources.find((x) => x.id === 'celery') as unknown as { feed: { ready(): Promise<void> }; index: { size: number } };
    await celery.feed.ready();
    expect(celery.index.size).toBe(500);
    const body = await status(s, '&state=SUCCESS&limit=5');
    expect(body.jobs.map((j: any) => j.id)).toEqual(['seed-499', 'seed-498', 'seed-497', 'seed-496', 'seed-495']);
    expect(body.queues.find((q: any) => q.source === 'celery').counts).toMatchObject({ SUCCESS: 450, FAILURE: 50 });
    // Pages continue below their anchor.
    const page2 = await status(s, `&state=SUCCESS&limit=5&cursor=${body.nextCursor}`);
    expect(page2.jobs.map((j: any) => j.id)).toEqual(['seed-494', 'seed-493', 'seed-492', 'seed-491', 'seed-489']);

    // Redis goes away: the last snapshot is served stale, nothing crashes.
    await status(s);
    await redis.stop();
    const stale = await waitFor('a stale snapshot', async () => {
      const res = await service.app.request('/api/settings/jobs/status?limit=200');
      return res.status === 200 && ((await res.json()) as any).stale === true ? true : null;
    }, 10_000);
    expect(stale).toBe(true);
    // It returns empty (no persistence) and a worker writes a result: the index follows the restart.
    await redis.restart();
    const worker = await CeleryWorker.start({ brokerUrl: url, hostname: 'w9@jobscope-test', events: false });
    s.workers.push(worker);
    const id = await send(s, 'add', [1, 2]);
    await celeryOracle(url, { op: 'get', id, timeout: 20 });
    const after = await waitFor('the index to follow Redis restarting', async () => {
      const b = await status(s!, '&state=SUCCESS');
      return b.stale === false && b.jobs.some((j: any) => j.id === id) ? b : null;
    }, 20_000);
    expect(after.jobs.filter((j: any) => j.id.startsWith('seed-'))).toEqual([]);
  });
});
