import { Job, Queue } from 'bullmq';
import { StatusResponseSchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { getJson, startService } from './helpers/service';
import { sleep, waitFor } from './helpers/wait';

/**
 * A redis-server this file owns is stopped and restarted under a running service: the status route must keep
 * answering (stale snapshot, then 503 without one) and recover on its own, without a service restart.
 */

const STATUS = '/api/settings/jobs/status';
const PREFIX = 'jobscope-down';
const QUEUE = 'orders';
const TOKEN = 'outage-test-token';
/** Known to the service, but never written to by it before the outage. */
const OTHER_QUEUE = 'invoices';

let server: PrivateRedis;
const services: Service[] = [];

async function start(env: Record<string, string> = {}): Promise<Service> {
  const service = await startService({ REDIS_URL: server.url, JOBSCOPE_PREFIXES: PREFIX, ...env });
  services.push(service);
  return service;
}

function enqueue(service: Service, token: string, body: unknown) {
  return getJson(service, '/api/jobs', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function addJob(name: string, queueName = QUEUE): Promise<string> {
  const queue = new Queue(queueName, { connection: server.connection, prefix: PREFIX });
  try {
    return (await queue.add(name, { name })).id!;
  } finally {
    await queue.close();
  }
}

beforeAll(async () => {
  server = await PrivateRedis.start();
});

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.close()));
  await server?.destroy();
});

describe('when Redis goes away and comes back', () => {
  let service: Service;
  let firstGeneratedAtMs = 0;

  it('serves a fresh snapshot while Redis is up', async () => {
    const seedId = await addJob('seed');
    await addJob('other-queue-job', OTHER_QUEUE);
    service = await start({ JOBSCOPE_API_TOKEN: TOKEN });
    await service.source.queueRegistry.refresh();
    // Through the service, so its write path (a cached BullMQ Queue) exists before the outage.
    const added = await enqueue(service, TOKEN, { queue: QUEUE, name: 'before-outage' });
    expect(added.status).toBe(201);
    const res = await getJson(service, `${STATUS}?queue=${QUEUE}`);
    expect(res.status).toBe(200);
    const body = StatusResponseSchema.parse(res.body);
    expect(body).toMatchObject({ stale: false, redis: { ok: true, error: null } });
    expect(body.jobs.map((j) => [j.queue, j.id, j.name])).toEqual([
      [QUEUE, added.body.id, 'before-outage'],
      [QUEUE, seedId, 'seed'],
    ]);
    firstGeneratedAtMs = body.generatedAtMs;
  });

  it('serves the last good snapshot marked stale, quickly, with the Redis error', async () => {
    await sleep(20);
    await server.stop();
    const started = Date.now();
    const res = await getJson(service, `${STATUS}?queue=${QUEUE}`);
    const tookMs = Date.now() - started;
    expect(res.status).toBe(200);
    const body = StatusResponseSchema.parse(res.body);
    expect(body.stale).toBe(true);
    expect(body.generatedAtMs).toBe(firstGeneratedAtMs);
    expect(body.ageMs).toBeGreaterThan(0);
    expect(body.redis.ok).toBe(false);
    expect(body.redis.latencyMs).toBeNull();
    expect(body.redis.error).toEqual(expect.any(String));
    // Says what is wrong in words a user understands, not ioredis internals.
    expect(body.redis.error).toMatch(/not connected to Redis|ECONNREFUSED|Connection is closed/);
    expect(body.redis.error).not.toContain('enableOfflineQueue');
    expect(body.jobs.map((j) => j.name)).toEqual(['before-outage', 'seed']);
    expect(tookMs).toBeLessThan(1000);
    // Stays answerable on every poll while Redis is down; the age grows.
    await sleep(30);
    const again = StatusResponseSchema.parse((await getJson(service, `${STATUS}?queue=${QUEUE}`)).body);
    expect(again.stale).toBe(true);
    expect(again.ageMs).toBeGreaterThan(body.ageMs);
  });

  it('answers another query with no snapshot yet with a 503 JSON error', async () => {
    const res = await getJson(service, `${STATUS}?state=FAILURE`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe('redis_unavailable');
    expect(res.body.error.message).toMatch(/^Redis is unavailable and no earlier snapshot exists: not connected to Redis/);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
  });

  it.each([
    ['a queue the service wrote to before', QUEUE],
    ['a queue the service never wrote to', OTHER_QUEUE],
  ])('refuses to enqueue on %s with a quick 503 JSON error', async (_what, queue) => {
    const started = Date.now();
    const res = await enqueue(service, TOKEN, { queue, name: 'during-outage' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('redis_unavailable');
    expect(res.body.error.message).toMatch(/^could not add the job: (not connected to Redis|the queue list)/);
    expect(res.body.error.message).not.toContain('enableOfflineQueue');
  }, 10_000);

  it('a service started while Redis is down answers 503 JSON, then recovers by itself', async () => {
    const coldStartedAt = Date.now();
    const cold = await start({ JOBSCOPE_API_TOKEN: 'cold-start-token' });
    expect(Date.now() - coldStartedAt).toBeLessThan(5000);
    const res = await getJson(cold, STATUS);
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'redis_unavailable' });

    const refused = await enqueue(cold, 'cold-start-token', { queue: QUEUE, name: 'x' });
    // Not "unknown queue": the service cannot know its queues before it has read Redis once.
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('redis_unavailable');

    await server.restart();
    const id = await addJob('after-outage');
    // Discovery retries on its own until it first succeeds; no refresh() call here.
    const recovered = await waitFor(
      'the cold-started service to list the new job',
      async () => {
        const r = await getJson(cold, STATUS);
        return r.status === 200 && r.body.jobs.length === 1 ? r.body : null;
      },
      10_000
    );
    expect(StatusResponseSchema.parse(recovered)).toMatchObject({
      stale: false,
      redis: { ok: true, error: null },
      jobs: [{ queue: QUEUE, id, name: 'after-outage' }],
    });
  }, 20_000);

  it('the first service is fresh again without a restart', async () => {
    const body = await waitFor(
      'a fresh snapshot',
      async () => {
        const r = await getJson(service, STATUS);
        return r.status === 200 && r.body.stale === false ? r.body : null;
      },
      10_000
    );
    expect(StatusResponseSchema.parse(body)).toMatchObject({ stale: false, redis: { ok: true } });
    expect(body.generatedAtMs).toBeGreaterThan(firstGeneratedAtMs);
    // The dataset is new (no persistence): only the job added after the restart.
    expect(body.jobs.map((j: { name: string }) => j.name)).toEqual(['after-outage']);

    const added = await enqueue(service, TOKEN, { queue: QUEUE, name: 'after-recovery' });
    expect(added.status).toBe(201);
    const queue = new Queue(QUEUE, { connection: server.connection, prefix: PREFIX });
    try {
      expect((await Job.fromId(queue, added.body.id))?.name).toBe('after-recovery');
    } finally {
      await queue.close();
    }
  }, 15_000);
});

describe('when Redis freezes (connection open, no answers)', () => {
  let service: Service;

  beforeAll(async () => {
    service = await start({ JOBSCOPE_API_TOKEN: TOKEN });
    await service.source.queueRegistry.refresh();
    expect((await getJson(service, STATUS)).status).toBe(200);
  });

  afterAll(() => server.thaw());

  it('answers stale after the command timeout, and says an enqueue may or may not have happened', async () => {
    server.freeze();
    const started = Date.now();
    const [status, added] = await Promise.all([
      getJson(service, STATUS),
      enqueue(service, TOKEN, { queue: QUEUE, name: 'while-frozen' }),
    ]);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ stale: true, redis: { ok: false, error: expect.stringMatching(/timed out/i) } });
    expect(added.status).toBe(504);
    expect(added.body.error.code).toBe('redis_timeout');
    expect(added.body.error.message).toMatch(/may or may not have been added/);

    server.thaw();
    const fresh = await waitFor('a fresh snapshot after the thaw', async () => {
      const r = await getJson(service, `${STATUS}?queue=${QUEUE}`);
      return r.status === 200 && !r.body.stale ? r.body : null;
    });
    // Why the answer was 504 and not "not added": the command was delivered and ran once Redis woke up.
    expect(fresh.jobs.map((j: { name: string }) => j.name)).toContain('while-frozen');
  }, 20_000);
});
