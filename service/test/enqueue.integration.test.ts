import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { EnqueueResponseSchema, ENQUEUE_MAX_BODY_BYTES, type EnqueueRequest } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';

/** `POST /api/jobs` adds real BullMQ jobs: checked with BullMQ's own `Job.fromId` and `getState`. */

const TOKEN = 'enqueue-test-token';
const MAIL = 'mail';
const UNI = 'рассылка-📮';
const connection = sharedConnection();
const prefix = testPrefix('enqueue');

let redis: Redis;
let service: Service;
const queues: Record<string, Queue> = {};

function post(body: EnqueueRequest | unknown) {
  return getJson(service, '/api/jobs', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function added(queue: string, body: { id: string }): Promise<Job> {
  const job = await Job.fromId(queues[queue], body.id);
  expect(job).toBeTruthy();
  return job!;
}

beforeAll(async () => {
  redis = new Redis(connection);
  for (const name of [MAIL, UNI]) {
    queues[name] = new Queue(name, { connection, prefix });
    // A queue exists for discovery once something was added to it.
    await (await queues[name].add('seed', {})).remove();
  }
  service = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  await Promise.allSettled(Object.values(queues).map((q) => q.obliterate({ force: true }).finally(() => q.close())));
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('POST /api/jobs', () => {
  it('adds a waiting job with its data and answers 201 {id, queue, state}', async () => {
    const data = { to: 'ana@example.com', tags: ['a', 'b'], nested: { n: 1, ok: true, none: null } };
    const res = await post({ queue: MAIL, name: 'send-welcome', data });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = EnqueueResponseSchema.parse(res.body);
    expect(body).toEqual({ source: 'bullmq', prefix, queue: MAIL, id: expect.any(String), state: 'PENDING' });
    const job = await added(MAIL, body);
    expect(job.name).toBe('send-welcome');
    expect(job.data).toEqual(data);
    expect(await job.getState()).toBe('waiting');
  });

  it('adds a delayed job', async () => {
    const before = Date.now();
    const res = await post({ queue: MAIL, name: 'reminder', data: { in: '1h' }, opts: { delay: 3_600_000 } });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('DELAYED');
    const job = await added(MAIL, res.body);
    expect(await job.getState()).toBe('delayed');
    expect(job.delay).toBe(3_600_000);
    expect(job.timestamp).toBeGreaterThanOrEqual(before);
  });

  it('adds a prioritized job and keeps the attempts option', async () => {
    const res = await post({ queue: MAIL, name: 'urgent', opts: { priority: 3, attempts: 4 } });
    expect(res.status).toBe(201);
    expect(res.body.state).toBe('PENDING');
    const job = await added(MAIL, res.body);
    expect(await job.getState()).toBe('prioritized');
    expect(job.priority).toBe(3);
    expect(job.opts.attempts).toBe(4);
    expect(job.data).toEqual({});
  });

  it('accepts unicode queue and job names and any JSON value as data', async () => {
    for (const data of ['plain text ✓', 42, [1, 'two', { three: 3 }], null, { emoji: '🎉', cjk: '你好' }]) {
      const res = await post({ queue: UNI, name: 'отправить 📨', data });
      expect(res.status).toBe(201);
      expect(res.body.queue).toBe(UNI);
      const job = await added(UNI, res.body);
      expect(job.name).toBe('отправить 📨');
      expect(job.data).toEqual(data);
    }
  });

  it('accepts data nested as deep as the limit allows', async () => {
    let data: unknown = { leaf: true };
    for (let i = 0; i < 60; i++) {
      data = i % 2 ? [data] : { level: data };
    }
    const res = await post({ queue: MAIL, name: 'deep', data });
    expect(res.status).toBe(201);
    expect((await added(MAIL, res.body)).data).toEqual(data);
  });

  it('accepts a body of exactly 256 KB', async () => {
    const envelope = JSON.stringify({ queue: MAIL, name: 'big', data: { blob: '' } });
    const blob = 'y'.repeat(ENQUEUE_MAX_BODY_BYTES - Buffer.byteLength(envelope));
    const res = await post({ queue: MAIL, name: 'big', data: { blob } });
    expect(res.status).toBe(201);
    expect(((await added(MAIL, res.body)).data as { blob: string }).blob).toHaveLength(blob.length);
  });

  it('shows the new jobs on the status route', async () => {
    const res = await post({ queue: MAIL, name: 'visible', opts: { delay: 60_000 } });
    const status = await getJson(service, `/api/settings/jobs/status?queue=${MAIL}&state=DELAYED`);
    expect(status.status).toBe(200);
    expect(status.body.jobs.map((j: { id: string }) => j.id)).toContain(res.body.id);
  });

  it('writes no queue metadata of its own (the monitor does not change what it watches)', async () => {
    const meta = await redis.hgetall(`${prefix}:${MAIL}:meta`);
    await post({ queue: MAIL, name: 'meta-check' });
    expect(await redis.hgetall(`${prefix}:${MAIL}:meta`)).toEqual(meta);
  });
});
