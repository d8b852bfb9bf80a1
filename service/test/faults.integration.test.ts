import { Queue } from 'bullmq';
import { StatusResponseSchema } from '@jobscope/contract';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { startSocketService } from './helpers/server';
import { sleep, waitFor } from './helpers/wait';

/**
 * Faults under a polling load: a private redis-server is killed (-9) and restarted five times, then frozen (SIGSTOP)
 * for 5 s, while status, health and readyz are polled every 100 ms over HTTP. The service never crashes, no request
 * takes over 2 s, /readyz says 503 within 1 s of the freeze, status turns stale within 1.5 s and fresh again within
 * 2 s of Redis answering again.
 */

const PREFIX = 'jobscope-faults';
const ROUTES = { status: '/api/settings/jobs/status', health: '/api/health', readyz: '/readyz', livez: '/livez' } as const;
type RouteName = keyof typeof ROUTES;

interface Sample {
  route: RouteName;
  start: number;
  end: number;
  status: number;
  stale?: boolean;
  error?: string;
}

let redis: PrivateRedis;
let running: Awaited<ReturnType<typeof startSocketService>>;
const samples: Sample[] = [];
let polling = true;
let pollers: Promise<void>[] = [];

async function seed(): Promise<void> {
  const queue = new Queue('orders', { connection: redis.connection, prefix: PREFIX });
  await queue.add('job', { n: 1 });
  await queue.close();
}

async function poll(route: RouteName): Promise<void> {
  while (polling) {
    const start = Date.now();
    const sample: Sample = { route, start, end: 0, status: 0 };
    try {
      const res = await fetch(`${running.http.url}${ROUTES[route]}`, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      sample.status = res.status;
      if (route === 'status' && res.status === 200) {
        sample.stale = StatusResponseSchema.parse(JSON.parse(text)).stale;
      }
    } catch (err) {
      sample.error = String(err);
    }
    sample.end = Date.now();
    samples.push(sample);
    await sleep(Math.max(0, 100 - (sample.end - start)));
  }
}

/** The first sample of `route` that started at or after `from` and matches. */
function firstAfter(route: RouteName, from: number, match: (s: Sample) => boolean): Sample | undefined {
  return samples.find((s) => s.route === route && s.start >= from && match(s));
}

beforeAll(async () => {
  redis = await PrivateRedis.start();
  await seed();
  running = await startSocketService({ REDIS_URL: redis.url, JOBSCOPE_PREFIXES: PREFIX, JOBSCOPE_QUEUES: 'orders', LOG_LEVEL: 'silent' });
  pollers = (Object.keys(ROUTES) as RouteName[]).map((r) => poll(r));
  await waitFor('a fresh status', () => samples.some((s) => s.route === 'status' && s.stale === false), 5000);
});

afterAll(async () => {
  polling = false;
  await Promise.allSettled(pollers);
  await running?.shutdown();
  await redis?.destroy();
});

it('survives five kill -9 / restart cycles and a 5 s SIGSTOP', async () => {
  for (let cycle = 0; cycle < 5; cycle++) {
    await redis.stop();
    const downAt = Date.now();
    await sleep(600);
    await redis.restart();
    await seed();
    const upAt = Date.now();
    const fresh = await waitFor(`fresh status after restart ${cycle + 1}`, () => firstAfter('status', upAt, (s) => s.stale === false), 6000);
    expect(fresh).toBeDefined();
    expect(firstAfter('readyz', downAt, (s) => s.status === 503)).toBeDefined();
  }

  // Frozen: connections stay open, nothing answers.
  await sleep(300);
  redis.freeze();
  const frozenAt = Date.now();
  await sleep(5000);
  redis.thaw();
  const thawedAt = Date.now();
  await waitFor('fresh status after the freeze', () => firstAfter('status', thawedAt, (s) => s.stale === false), 5000);
  await sleep(300);
  polling = false;
  await Promise.allSettled(pollers);

  const notReady = firstAfter('readyz', frozenAt, (s) => s.status === 503)!;
  expect(notReady).toBeDefined();
  expect(notReady.end - frozenAt).toBeLessThan(1000);
  const stale = firstAfter('status', frozenAt, (s) => s.stale === true)!;
  expect(stale).toBeDefined();
  expect(stale.end - frozenAt).toBeLessThan(1500);
  const freshAgain = firstAfter('status', thawedAt, (s) => s.stale === false)!;
  expect(freshAgain.end - thawedAt).toBeLessThan(2000);

  // Over the whole run: no transport error, nothing slower than 2 s, no server error but the probes' 503s.
  const slow = samples.filter((s) => s.end - s.start > 2000);
  expect(slow).toEqual([]);
  expect(samples.filter((s) => s.error)).toEqual([]);
  expect(samples.filter((s) => s.route === 'livez' && s.status !== 200)).toEqual([]);
  expect(samples.filter((s) => s.route === 'status' && s.status !== 200)).toEqual([]);
  expect(samples.filter((s) => s.status >= 500 && s.status !== 503)).toEqual([]);
  expect(samples.length).toBeGreaterThan(200);
  process.stdout.write(
    `faults: ${samples.length} polls, slowest ${Math.max(...samples.map((s) => s.end - s.start))} ms; freeze: readyz 503 after ${notReady.end - frozenAt} ms, stale after ${stale.end - frozenAt} ms, fresh ${freshAgain.end - thawedAt} ms after thaw\n`
  );
}, 90_000);
