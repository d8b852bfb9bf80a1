// Sentinel: the service finds the primary through three real sentinels (JOBSCOPE_REDIS_SENTINELS), and when the
// primary is killed it follows the promotion of the replica without a restart: while no primary answers the status
// route serves the last snapshot marked stale (never a 5xx), and within 5 s of the promotion it serves fresh data
// that includes a job written to the new primary; /readyz recovers too.
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { StatusResponseSchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { SENTINEL_MASTER_NAME, SentinelSetup } from './helpers/sentinel';
import { getJson, startService } from './helpers/service';

jest.setTimeout(60_000);

const PREFIX = 'sentinel-test';
const Q = 'orders';

let setup: SentinelSetup;
let service: Service;
const queues: Queue[] = [];

const queueOn = (port: number) => {
  const q = new Queue(Q, { connection: { host: '127.0.0.1', port }, prefix: PREFIX });
  q.on('error', () => undefined);
  queues.push(q);
  return q;
};

async function status(): Promise<{ httpStatus: number; stale?: boolean; ids: string[] }> {
  const res = await getJson(service, '/api/settings/jobs/status');
  if (res.status !== 200) {
    return { httpStatus: res.status, ids: [] };
  }
  const body = StatusResponseSchema.parse(res.body);
  return { httpStatus: 200, stale: body.stale, ids: body.jobs.map((j) => j.id) };
}

beforeAll(async () => {
  setup = await SentinelSetup.start();
  const q = queueOn(setup.primary.port);
  await q.addBulk([1, 2, 3].map((i) => ({ name: `order-${i}`, data: { i }, opts: { jobId: `before-${i}` } })));
  service = await startService({
    // Host and port here are never used: the sentinels say where the primary is.
    REDIS_URL: 'redis://127.0.0.1:1',
    JOBSCOPE_REDIS_SENTINELS: setup.sentinelList,
    JOBSCOPE_REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
    JOBSCOPE_PREFIXES: PREFIX,
    JOBSCOPE_SNAPSHOT_TTL_MS: '500',
  });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await Promise.allSettled(queues.map((q) => q.close()));
  await service?.close();
  await setup?.destroy();
});

test('reads the primary the sentinels name', async () => {
  expect((service.redis as Redis).options.port).not.toBe(setup.primary.port); // not from REDIS_URL…
  expect((await service.redis.call('ROLE')) as string[]).toEqual(expect.arrayContaining(['master']));
  const s = await status();
  expect(s).toMatchObject({ httpStatus: 200, stale: false });
  expect(s.ids.sort()).toEqual(['before-1', 'before-2', 'before-3']);
  expect((await getJson(service, '/readyz')).status).toBe(200);
});

test('follows a failover: stale while no primary answers, fresh within 5 s of the promotion, no restart, no 5xx', async () => {
  // Everything the service read must be on the replica before the primary dies.
  const direct = new Redis({ host: '127.0.0.1', port: setup.primary.port });
  try {
    expect(await direct.call('WAIT', '1', '2000')).toBe(1);
  } finally {
    direct.disconnect();
  }
  const oldPort = setup.primary.port;
  const samples: Array<{ at: number; httpStatus: number; stale?: boolean; ids: string[] }> = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      samples.push({ at: Date.now(), ...(await status()) });
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const killedAt = Date.now();
    setup.kill(setup.primary);
    const newPort = await setup.waitForPromotion(oldPort);
    await setup.waitForPrimaryRole(newPort);
    const promotedAt = Date.now();
    expect(newPort).toBe(setup.replica.port);
    await queueOn(newPort).add('order-after', {}, { jobId: 'after-1' });

    const deadline = promotedAt + 5000;
    while (Date.now() < deadline && !samples.some((s) => s.at > promotedAt && s.stale === false && s.ids.includes('after-1'))) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const fresh = samples.find((s) => s.at > promotedAt && s.stale === false && s.ids.includes('after-1'));
    console.log(
      `[sentinel] promotion ${promotedAt - killedAt} ms after kill -9; fresh with the new job ${fresh ? fresh.at - promotedAt : 'never'} ms after it; ` +
        `${samples.length} polls: ${samples.filter((s) => s.stale).length} stale, statuses ${[...new Set(samples.map((s) => s.httpStatus))].join(',')}`
    );
    expect(fresh).toBeDefined();
    // While the primary was gone: the last snapshot, marked stale, never an error.
    expect(samples.some((s) => s.at > killedAt && s.at < promotedAt && s.stale === true)).toBe(true);
    expect(samples.filter((s) => s.httpStatus >= 500)).toEqual([]);
    expect((await getJson(service, '/readyz')).status).toBe(200);
  } finally {
    polling = false;
    await poller;
  }
});
