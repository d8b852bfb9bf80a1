/**
 * Queues appear without waiting for the next discovery SCAN when a worker connects to them: the snapshot sees the
 * worker in CLIENT LIST and adopts its queue with O(1) reads.
 */
import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import type { Service } from '../src/service';

jest.setTimeout(20_000);

const prefix = testPrefix('discovery');
let service: Service;
const queues: Queue[] = [];
let worker: Worker | null = null;

afterAll(async () => {
  await worker?.close(true);
  await Promise.all(queues.map((q) => q.close()));
  if (service) {
    await deleteByPrefix(service.redis as Redis, prefix);
    await service.close();
  }
});

it('adopts a queue created after discovery once a worker connects to it', async () => {
  const known = new Queue('known', { connection: sharedConnection(), prefix });
  queues.push(known);
  await known.add('first', {});
  // Discovery runs once at start (interval 0) and finds only `known`.
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();

  const late = new Queue('late', { connection: sharedConnection(), prefix });
  queues.push(late);
  await late.add('work', {});
  let release: () => void = () => undefined;
  worker = new Worker('late', () => new Promise<void>((r) => (release = r)), {
    connection: sharedConnection(),
    prefix,
    name: 'late-worker',
  });
  await worker.waitUntilReady();

  const names = async () => ((await getJson(service, '/api/settings/jobs/status')).body.queues as Array<{ name: string }>).map((q) => q.name);
  let seen = await names();
  for (let i = 0; i < 20 && !seen.includes('late'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await names();
  }
  expect(seen.sort()).toEqual(['known', 'late']);
  const status = await getJson(service, '/api/settings/jobs/status?queue=late');
  expect(status.body.queues.find((q: { name: string }) => q.name === 'late').workers).toBe(1);
  release();
});
