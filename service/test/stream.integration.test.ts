import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { getJson, startService } from './helpers/service';
import { SseReader } from './helpers/sse';
import { sleep, waitFor } from './helpers/wait';

/**
 * The live stream on a redis-server this file owns: first event = the status payload, changes within the interval,
 * one producer per view however many subscribers, producers freed when clients vanish, the cap, and Redis outages.
 */

const STREAM = '/api/settings/jobs/stream';
const PREFIX = 'jobscope-stream';
const INTERVAL = 300;

let server: PrivateRedis;
let redis: Redis;
let service: Service;
let queue: Queue;

async function open(query = '', svc = service): Promise<{ res: Response; sse: SseReader }> {
  const res = await svc.app.request(`${STREAM}${query}`);
  return { res, sse: new SseReader(res) };
}

async function scriptCalls(): Promise<number> {
  const text = (await redis.info('commandstats')) as string;
  return [...text.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = new Redis(server.connection);
  queue = new Queue('live', { connection: server.connection, prefix: PREFIX });
  await queue.add('first', {}, { jobId: 'first' });
  service = await startService({
    REDIS_URL: server.url,
    JOBSCOPE_PREFIXES: PREFIX,
    JOBSCOPE_STREAM_INTERVAL_MS: String(INTERVAL),
    JOBSCOPE_SNAPSHOT_TTL_MS: '100',
    JOBSCOPE_MAX_STREAMS: '250',
  });
  await service.source.queueRegistry.refresh();
}, 20_000);

afterAll(async () => {
  await service?.close();
  await queue?.close();
  redis?.disconnect();
  await server?.destroy();
});

describe('GET /api/settings/jobs/stream', () => {
  it('sends the status payload first, with a retry hint and an id, as text/event-stream', async () => {
    const { res, sse } = await open('?limit=5');
    try {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const first = await sse.waitFor(() => true);
      expect(first).toMatchObject({ event: 'snapshot', retry: 2000 });
      expect(Number(first.id)).toBeGreaterThan(0);
      const body = StatusResponseSchema.parse(JSON.parse(first.data));
      const status = (await getJson(service, '/api/settings/jobs/status?limit=5')).body;
      expect(body.jobs.map((j) => j.id)).toEqual(status.jobs.map((j: { id: string }) => j.id));
    } finally {
      await sse.close();
    }
  });

  it('pushes a job finishing in Redis within the interval + 500 ms, with a higher id', async () => {
    const { sse } = await open('?limit=20');
    try {
      const first = await sse.waitFor((e) => e.event === 'snapshot');
      const worker = new Worker('live', async () => 'done', { connection: server.connection, prefix: PREFIX, autorun: false });
      void worker.run();
      let finishedAt = 0;
      worker.on('completed', () => (finishedAt ||= Date.now()));
      const done = await sse.waitFor(
        (e) => e.event === 'snapshot' && JSON.parse(e.data).jobs.some((j: { id: string; state: string }) => j.id === 'first' && j.state === 'SUCCESS'),
        5000
      );
      await worker.close();
      expect(done.at - finishedAt).toBeLessThan(INTERVAL + 500);
      expect(Number(done.id)).toBeGreaterThan(Number(first.id));
    } finally {
      await sse.close();
    }
  });

  it('sends nothing new while nothing changes (compared by content, not time)', async () => {
    const { sse } = await open('?limit=20');
    try {
      await sse.waitFor((e) => e.event === 'snapshot');
      await sleep(INTERVAL * 5);
      expect(sse.events.filter((e) => e.event === 'snapshot')).toHaveLength(1);
    } finally {
      await sse.close();
    }
  });

  it('200 subscribers of one view share one producer: about one snapshot read per interval, freed when they leave', async () => {
    // What 5 adds cost in script calls by themselves (BullMQ adds through a script too), with no stream open.
    let before = await scriptCalls();
    for (let i = 0; i < 5; i++) await queue.add('solo', {}, { jobId: `solo-${i}` });
    const addCalls = (await scriptCalls()) - before;
    const clients = await Promise.all(Array.from({ length: 200 }, () => open('?limit=7')));
    try {
      await Promise.all(clients.map((c) => c.sse.waitFor((e) => e.event === 'snapshot')));
      expect(service.streams.stats).toEqual({ streams: 200, producers: 1 });
      before = await scriptCalls();
      for (let i = 0; i < 5; i++) {
        await queue.add('tick', {}, { jobId: `tick-${i}` });
        await sleep(INTERVAL);
      }
      const reads = (await scriptCalls()) - before - addCalls;
      // 5 changes in 5 intervals: one snapshot script call each (plus at most one in flight), not 200 × 5.
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(reads).toBeLessThanOrEqual(7);
      await Promise.all(clients.map((c) => c.sse.waitFor((e) => e.event === 'snapshot' && e.data.includes('tick-4'), 3000)));
    } finally {
      await Promise.all(clients.map((c) => c.sse.close()));
    }
    await waitFor('producers freed', () => service.streams.stats.producers === 0 && service.streams.stats.streams === 0, 3000);
  }, 30_000);

  it('answers 503 JSON beyond JOBSCOPE_MAX_STREAMS', async () => {
    const clients = await Promise.all(Array.from({ length: 250 }, () => open('?limit=3')));
    try {
      const res = await service.app.request(`${STREAM}?limit=3`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    } finally {
      await Promise.all(clients.map((c) => c.sse.close()));
    }
    await waitFor('streams closed', () => service.streams.stats.streams === 0, 3000);
  }, 20_000);

  it('rejects bad filters with 400 JSON before streaming', async () => {
    const res = await service.app.request(`${STREAM}?limit=abc`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_query');
  });

  it('says stale when Redis goes away and sends a fresh snapshot when it is back', async () => {
    const { sse } = await open('?limit=4');
    try {
      await sse.waitFor((e) => e.event === 'snapshot');
      await server.stop();
      const stale = await sse.waitFor((e) => e.event === 'stale', 8000);
      const n = sse.events.length;
      await server.restart();
      const back = new Queue('live', { connection: server.connection, prefix: PREFIX });
      await back.add('after', {}, { jobId: 'after-outage' });
      await back.close();
      await service.source.queueRegistry.refresh().catch(() => undefined);
      const fresh = await sse.waitFor((e) => e.event === 'snapshot', 15_000, n);
      expect(Number(fresh.id)).toBeGreaterThan(Number(stale.id));
    } finally {
      await sse.close();
    }
  }, 40_000);
});
