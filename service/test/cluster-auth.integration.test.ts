// Redis Cluster with a password: user and password come from REDIS_URL (its host is not used), every node is asked
// with them; a wrong password is a clear 503, never a crash.
import { Queue } from 'bullmq';
import type { Cluster } from 'ioredis';
import { API_PATHS, StatusResponseSchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { LocalRedisCluster } from '../../scripts/lib/redis-cluster';
import { getJson, startService } from './helpers/service';

jest.setTimeout(60_000);

const PASSWORD = 'cluster-secret';
const PREFIX = '{jsca}';

let cluster: LocalRedisCluster;
let producer: Cluster;
const services: Service[] = [];

async function serviceWith(url: string): Promise<Service> {
  const service = await startService({ REDIS_URL: url, JOBSCOPE_REDIS_CLUSTER_NODES: cluster.seedList, JOBSCOPE_PREFIXES: PREFIX });
  services.push(service);
  return service;
}

beforeAll(async () => {
  cluster = await LocalRedisCluster.start({ password: PASSWORD });
  producer = cluster.client();
  producer.on('error', () => undefined);
  const queue = new Queue('invoices', { connection: producer, prefix: PREFIX });
  await queue.addBulk([1, 2, 3].map((n) => ({ name: 'invoice', data: { n } })));
  await queue.close();
});

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.close()));
  producer?.disconnect();
  await cluster?.destroy();
});

test('the password from REDIS_URL opens every node', async () => {
  const service = await serviceWith(`redis://:${PASSWORD}@127.0.0.1:1`);
  await service.source.queueRegistry.refresh();
  const res = await getJson(service, API_PATHS.status);
  expect(res.status).toBe(200);
  const body = StatusResponseSchema.parse(res.body);
  expect(body.queues.map((q) => [q.prefix, q.name, q.counts.PENDING])).toEqual([[PREFIX, 'invoices', 3]]);
  expect(body.jobs).toHaveLength(3);
});

test('a wrong password answers 503 with what is wrong', async () => {
  const service = await serviceWith('redis://:wrong@127.0.0.1:1');
  const res = await getJson(service, API_PATHS.status);
  expect(res.status).toBe(503);
  expect(res.body.error).toMatchObject({ code: expect.any(String), message: expect.stringContaining('WRONGPASS') });
  expect((await getJson(service, '/readyz')).status).toBe(503);
});
