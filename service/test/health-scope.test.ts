import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import type { HealthResponse } from '@jobscope/contract';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import type { Service } from '../src/service';

/**
 * `?queue=` scoping, 404/400 answers and per-queue threshold overrides, on the shared Redis under a random prefix.
 * Both queues get the same two failures; only the override makes them grade differently.
 */
jest.setTimeout(30_000);

const prefix = testPrefix('scope');
let service: Service;
const queues: Queue[] = [];

beforeAll(async () => {
  const connection = sharedConnection();
  for (const name of ['lenient', 'strict']) {
    const q = new Queue(name, { connection, prefix });
    queues.push(q);
    const worker = new Worker(name, null, { connection, prefix, autorun: false });
    await q.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }]);
    for (let i = 0; i < 2; i++) {
      await (await worker.getNextJob('t'))!.moveToFailed(new Error('boom'), 't', false);
    }
    await worker.close();
  }
  service = await startService({
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_HEALTH_FAILURES_WARN: '1',
    JOBSCOPE_HEALTH_FAILURES_FAIL: '2',
    JOBSCOPE_HEALTH_QUEUE_OVERRIDES: JSON.stringify({ lenient: { failures: { warn: 2, fail: null } } }),
  });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  for (const q of queues) {
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
  const redis = new Redis(sharedConnection());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

const health = async (query: string) => {
  const res = await getJson(service, `/api/health${query}`);
  return { status: res.status, body: res.body as HealthResponse };
};

it('grades every queue with its own thresholds; the whole service takes the worst', async () => {
  const all = await health('');
  expect(all.status).toBe(503);
  expect(all.body.status).toBe('fail');
  expect(all.body.checks['queue/strict:failures'][0]).toMatchObject({ observedValue: 2, status: 'fail' });
  expect(all.body.checks['queue/lenient:failures'][0]).toMatchObject({ observedValue: 2, status: 'warn' });
  expect(all.body.checks['queue/strict:failures'][0]).toMatchObject({ componentId: 'strict', prefix });
});

it('?queue= scopes checks to that queue, so each queue can alert on its own', async () => {
  const lenient = await health('?queue=lenient');
  expect(lenient.status).toBe(200);
  expect(lenient.body.status).toBe('warn');
  const keys = Object.keys(lenient.body.checks).sort();
  expect(keys).toEqual(
    ['redis:responseTime', ...['backlogAge', 'failures', 'paused', 'stalled', 'workers'].map((m) => `queue/lenient:${m}`)].sort()
  );

  const strict = await health('?queue=strict');
  expect(strict.status).toBe(503);
  expect(strict.body.output).toContain('queue/strict:failures fail');
});

it('answers 404 JSON for an unknown queue', async () => {
  const res = await getJson(service, '/api/health?queue=nope');
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.error.code).toBe('unknown_queue');
  expect(res.body.error.message).toContain('lenient');
});

it.each([
  ['?queue=a%0Ab', 'queue'],
  ['?queue=a&queue=b', 'queue'],
  ['?queue=', 'queue'],
  ['?limit=3', 'limit'],
])('answers 400 JSON for %s', async (query, path) => {
  const res = await getJson(service, `/api/health${query}`);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('invalid_query');
  expect(res.body.error.issues[0].path).toBe(path);
});
