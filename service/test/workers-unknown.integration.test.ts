import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { getJson, startService } from './helpers/service';

/**
 * Managed Redis services and strict ACLs forbid CLIENT. A private redis-server gives the service a user without
 * CLIENT (workers connect as the default user): jobs and counts still come back, workers are "unknown", not 0.
 */

const PREFIX = 'jobscope-acl';
let server: PrivateRedis;
let admin: Redis;
let service: Service;
let queue: Queue;
let worker: Worker;

beforeAll(async () => {
  server = await PrivateRedis.start();
  admin = new Redis(server.connection);
  // A least-privilege monitor user: no CLIENT, and no INFO either (both are in @dangerous).
  await admin.call('ACL', 'SETUSER', 'monitor', 'on', '>monitor-pass', '~*', '&*', '+@all', '-@dangerous');
  queue = new Queue('acl-q', { connection: server.connection, prefix: PREFIX });
  await queue.add('job', {});
  worker = new Worker('acl-q', async () => undefined, { connection: server.connection, prefix: PREFIX, name: 'w', autorun: false });
  await worker.waitUntilReady();
  service = await startService({
    REDIS_URL: `redis://monitor:monitor-pass@127.0.0.1:${server.port}`,
    JOBSCOPE_PREFIXES: PREFIX,
  });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  await worker?.close(true);
  await queue?.close();
  admin?.disconnect();
  await server?.destroy();
});

it('reports workers as "unknown" with the reason when CLIENT LIST is refused', async () => {
  // The worker is really there: the admin user sees it.
  expect(await queue.getWorkersCount()).toBe(1);
  const res = await getJson(service, '/api/settings/jobs/status');
  expect(res.status).toBe(200);
  const body = StatusResponseSchema.parse(res.body);
  expect(body.workers.status).toBe('unknown');
  expect(body.workers.reason).toMatch(/CLIENT LIST refused by the server: NOPERM/);
  expect(body.workers.items).toEqual([]);
  expect(body.queues).toEqual([expect.objectContaining({ name: 'acl-q', workers: 'unknown', counts: expect.objectContaining({ PENDING: 1 }) })]);
  expect(body.jobs.map((j) => j.name)).toEqual(['job']);
  expect(body.redis.ok).toBe(true);
  expect(body.redis.version).toBeNull(); // INFO refused: version unknown, Redis still healthy
  expect(body.stale).toBe(false);
  const health = await getJson(service, '/readyz');
  expect(health.status).toBe(200);
});
