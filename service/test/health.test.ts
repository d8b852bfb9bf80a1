import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import { HEALTH_CONTENT_TYPE, type HealthResponse } from '@jobscope/contract';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { testPrefix } from './helpers/prefix';
import { getJson, startService } from './helpers/service';
import type { Service } from '../src/service';

/**
 * Health transitions on a private redis-server (the test stops and restarts it) with real BullMQ workers.
 * Small thresholds keep it quick: no workers → warn at once, fail once the oldest job waited 1.5 s; failures warn at 1,
 * fail at 3 within the window; stalled warns at 1.
 */
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    }
    await sleep(100);
    last = await read();
  }
  return last;
}

let redis: PrivateRedis;
let service: Service;
let goodWorker: Worker;
const prefix = testPrefix('health');
const closers: Array<() => Promise<unknown>> = [];

const health = async (query = '') => {
  const res = await getJson(service, `/api/health${query}`);
  return { status: res.status, body: res.body as HealthResponse, type: res.headers.get('content-type') };
};
const check = (body: HealthResponse, key: string) => body.checks[key]?.[0];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  service = await startService({
    REDIS_URL: redis.url,
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_QUEUES: 'good,idle,flaky,stuck',
    JOBSCOPE_STATS_TTL_MS: '0',
    JOBSCOPE_HEALTH_NO_WORKERS_WARN_MS: '0',
    JOBSCOPE_HEALTH_NO_WORKERS_FAIL_MS: '1500',
    JOBSCOPE_HEALTH_BACKLOG_WARN_MS: '60000',
    JOBSCOPE_HEALTH_BACKLOG_FAIL_MS: '120000',
    JOBSCOPE_HEALTH_FAILURES_WARN: '1',
    JOBSCOPE_HEALTH_FAILURES_FAIL: '3',
    JOBSCOPE_HEALTH_STALLED_WARN: '1',
  });
});

afterAll(async () => {
  for (const close of closers.reverse()) {
    await close().catch(() => undefined);
  }
  await service?.close();
  // The whole dataset lives in the private server: destroying it deletes every key the test made.
  await redis?.destroy();
});

function queue(name: string): Queue {
  const q = new Queue(name, { connection: redis.connection, prefix });
  q.on('error', () => undefined);
  closers.push(() => q.close());
  return q;
}

function worker(name: string, process: (job: Job) => Promise<unknown>, opts: { lockDuration?: number } = {}): Worker {
  const w = new Worker(name, process, { connection: redis.connection, prefix, ...opts });
  w.on('error', () => undefined);
  closers.push(() => w.close(true));
  return w;
}

it('passes with Redis up and a worker processing jobs', async () => {
  const q = queue('good');
  goodWorker = worker('good', async () => 'ok');
  await goodWorker.waitUntilReady();
  await q.add('a', {});
  await waitFor('the job to complete', () => q.getJobCounts('completed'), (c) => c.completed === 1);

  const res = await waitFor('pass', () => health(), (r) => r.body.status === 'pass');
  expect(res.status).toBe(200);
  expect(res.type).toBe(HEALTH_CONTENT_TYPE);
  expect(check(res.body, 'redis:responseTime')).toMatchObject({ componentType: 'datastore', status: 'pass', observedUnit: 'ms' });
  expect(typeof check(res.body, 'redis:responseTime')?.observedValue).toBe('number');
  expect(check(res.body, 'queue/good:workers')).toMatchObject({ componentId: 'good', observedValue: 1, status: 'pass' });
  for (const m of ['workers', 'failures', 'backlogAge', 'stalled', 'paused']) {
    expect(check(res.body, `queue/idle:${m}`)?.status).toBe('pass');
  }
});

it('warns, then fails, when jobs wait and no worker is connected', async () => {
  const q = queue('good');
  await goodWorker.close();
  await waitFor('workers gone', () => health(), (r) => check(r.body, 'queue/good:workers')?.observedValue === 0);
  await q.add('waits', {});

  const warn = await health();
  expect(warn.status).toBe(200);
  expect(warn.body.status).toBe('warn');
  expect(check(warn.body, 'queue/good:workers')).toMatchObject({ observedValue: 0, status: 'warn' });
  expect(warn.body.output).toContain('queue/good:workers');

  const fail = await waitFor('fail', () => health(), (r) => r.body.status === 'fail', 5000);
  expect(fail.status).toBe(503);
  expect(check(fail.body, 'queue/good:workers')?.status).toBe('fail');
  expect(Number(check(fail.body, 'queue/good:backlogAge')?.observedValue)).toBeGreaterThanOrEqual(1.5);

  // A worker comes back and drains the queue: healthy again.
  worker('good', async () => 'ok');
  const back = await waitFor('pass again', () => health('?queue=good'), (r) => r.body.status === 'pass');
  expect(back.status).toBe(200);
});

it('warns at the first failure and fails at the failure threshold', async () => {
  const q = queue('flaky');
  worker('flaky', async () => {
    throw new Error('boom');
  });
  await q.add('x', {});
  const warn = await waitFor('warn', () => health('?queue=flaky'), (r) => check(r.body, 'queue/flaky:failures')?.observedValue === 1);
  expect(warn.status).toBe(200);
  expect(warn.body.status).toBe('warn');
  expect(check(warn.body, 'queue/flaky:failures')?.status).toBe('warn');

  await q.addBulk([{ name: 'y', data: {} }, { name: 'z', data: {} }]);
  const fail = await waitFor('fail', () => health('?queue=flaky'), (r) => check(r.body, 'queue/flaky:failures')?.observedValue === 3);
  expect(fail.status).toBe(503);
  expect(fail.body.status).toBe('fail');
  expect(check(fail.body, 'queue/flaky:failures')).toMatchObject({ status: 'fail', observedUnit: 'jobs' });
  expect(fail.body.output).toContain('3 job(s) failed');
});

it('warns about an active job whose lock expired', async () => {
  const q = queue('stuck');
  let release: () => void = () => undefined;
  const hang = new Promise<void>((r) => (release = r));
  closers.push(async () => release());
  const w = worker('stuck', () => hang, { lockDuration: 1000 });
  await q.add('hangs', {});
  await waitFor('the job to start', () => q.getJobCounts('active'), (c) => c.active === 1);
  // Force-close: the job stays in `active` and nobody renews its lock, as when a worker process dies.
  await w.close(true);
  const res = await waitFor('stalled', () => health('?queue=stuck'), (r) => check(r.body, 'queue/stuck:stalled')?.observedValue === 1);
  expect(check(res.body, 'queue/stuck:stalled')?.status).toBe('warn');
  expect(res.status).toBe(200);
});

it('answers 503 within 1 s while Redis accepts connections but does not answer', async () => {
  const admin = new Redis(redis.connection);
  try {
    // CLIENT PAUSE holds every other client's commands: a hung server, as far as the service can tell.
    await admin.call('CLIENT', 'PAUSE', '4000', 'ALL');
    for (const path of ['/api/health', '/readyz']) {
      const started = performance.now();
      const res = await getJson(service, path);
      expect({ path, status: res.status }).toEqual({ path, status: 503 });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(res.body.checks['redis:responseTime'][0].status).toBe('fail');
      expect(res.body.output).toContain('timed out');
    }
    const metrics = await service.app.request('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^jobscope_redis_up 0$/m);
  } finally {
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin.disconnect();
  }
  // Other queues of this file still fail on purpose (failures, stalled); only Redis must be back.
  await waitFor('Redis check passing after unpause', () => health(), (r) => check(r.body, 'redis:responseTime')?.status === 'pass');
});

it('answers 503 within 1 s while Redis is down and recovers on its own', async () => {
  await redis.stop();
  for (const path of ['/api/health', '/api/health?queue=good', '/readyz']) {
    const started = performance.now();
    const res = await getJson(service, path);
    const ms = performance.now() - started;
    expect({ path, status: res.status }).toEqual({ path, status: 503 });
    expect(ms).toBeLessThan(1000);
    expect(res.body.status).toBe('fail');
    expect(res.body.checks['redis:responseTime'][0].status).toBe('fail');
  }
  const live = await getJson(service, '/livez');
  expect(live.status).toBe(200);

  const metrics = await service.app.request('/metrics');
  const text = await metrics.text();
  expect(metrics.status).toBe(200);
  expect(text).toMatch(/^jobscope_redis_up 0$/m);
  expect(text).not.toMatch(/^bullmq_jobs\{/m);
  expect(text).not.toMatch(/^jobscope_queue_\w+\{/m);
  expect(text).not.toMatch(/^jobscope_redis_latency_seconds /m);

  await redis.restart();
  // The restarted server is empty (no persistence) and has no cached scripts: the service must reload them itself.
  const res = await waitFor('pass after restart', () => health(), (r) => r.status === 200 && r.body.status === 'pass');
  expect(check(res.body, 'queue/good:workers')).toBeDefined();
  expect((await getJson(service, '/readyz')).status).toBe(200);
});
