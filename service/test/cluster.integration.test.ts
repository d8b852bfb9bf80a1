// Redis Cluster: a real cluster of 3 masters + 3 replicas (started once for this file), BullMQ queues in both hash-tag
// styles — every queue under a `{prefix}` (one slot), and `{name}` queues under a plain prefix (one slot each) — with
// real Workers. Membership, counts and order equal BullMQ's own getters; the snapshot makes one script call per slot
// group on the node that owns it and writes nothing; a slot moved under polling and a master killed under polling
// never answer an error: the killed master's queues are served from the last good read marked stale, the other
// queues stay fresh, health names the node, and the promoted replica's data is served again within 5 s.
import { Job, Queue, Worker } from 'bullmq';
import type { Cluster } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { API_PATHS, stateRank, StatusQuerySchema, StatusResponseSchema, jobPath, queueActionPath, type StatusResponse } from '@jobscope/contract';
import type { Service } from '../src/service';
import { enableRemoteCancel } from '@jobscope/worker';
import { LocalRedisCluster } from '../../scripts/lib/redis-cluster';
import { ask } from '../../scripts/lib/redis-processes';
import { getJson, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

jest.setTimeout(90_000);

const TAGGED_PREFIX = '{jsct}';
const PLAIN_PREFIX = 'jsct';
const TOKEN = 'cluster-test-token';
/** prefix → queue names. */
const LAYOUT: Array<{ prefix: string; name: string }> = [
  { prefix: TAGGED_PREFIX, name: 'email' },
  { prefix: TAGGED_PREFIX, name: 'sms' },
  { prefix: PLAIN_PREFIX, name: '{reports}' },
  { prefix: PLAIN_PREFIX, name: '{images}' },
  { prefix: PLAIN_PREFIX, name: '{video}' },
];
const id = (q: { prefix: string; name: string }) => `${q.prefix}:${q.name}`;
/** The queue of a job summary, as `id` names queues. */
const queueOf = (j: { prefix: string; queue: string }) => `${j.prefix}:${j.queue}`;
const slotOf = (q: { prefix: string; name: string }) => calculateSlot(`${q.prefix}:${q.name}:`);

let cluster: LocalRedisCluster;
let producer: Cluster;
let service: Service;
const queues = new Map<string, Queue>();

const workerConnections: Cluster[] = [];

/** A worker's own Cluster client (BullMQ wants maxRetriesPerRequest null for its blocking reads). */
function workerConnection(): Cluster {
  const c = cluster.client({ redisOptions: { maxRetriesPerRequest: null } });
  c.on('error', () => undefined);
  workerConnections.push(c);
  return c;
}

async function status(query = ''): Promise<{ http: number; body: StatusResponse | null }> {
  const res = await getJson(service, `${API_PATHS.status}${query}`);
  return { http: res.status, body: res.status === 200 ? StatusResponseSchema.parse(res.body) : null };
}

async function commandstats(port: number): Promise<Record<string, number>> {
  const text = await ask(port, (r) => r.info('commandstats'));
  const calls: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls[m[1]] = Number(m[2]);
  }
  return calls;
}

beforeAll(async () => {
  cluster = await LocalRedisCluster.start();
  producer = cluster.client();
  producer.on('error', () => undefined);
  const workers: Worker[] = [];
  for (const q of LAYOUT) {
    const queue = new Queue(q.name, { connection: producer, prefix: q.prefix });
    queue.on('error', () => undefined);
    queues.set(id(q), queue);
    const worker = new Worker(
      q.name,
      async (job) => {
        if (job.data.fail) {
          throw new Error(`failed on purpose: ${job.name}`);
        }
        return { ok: job.data.n };
      },
      { connection: workerConnection(), prefix: q.prefix, concurrency: 2 }
    );
    worker.on('error', () => undefined);
    workers.push(worker);
    await queue.addBulk([1, 2, 3, 4, 5].map((n) => ({ name: `${q.name}-job`, data: { n, fail: n % 2 === 0 }, opts: { attempts: 1 } })));
  }
  await waitFor('the workers to finish', async () => {
    for (const queue of queues.values()) {
      const c = await queue.getJobCounts('completed', 'failed');
      if (c.completed + c.failed < 5) {
        return false;
      }
    }
    return true;
  }, 20_000);
  await Promise.all(workers.map((w) => w.close()));
  workerConnections.forEach((c) => c.disconnect());
  // Left waiting and delayed (no worker runs any more).
  for (const queue of queues.values()) {
    await queue.add('later', { n: 9 }, { delay: 600_000 });
    await queue.addBulk([6, 7].map((n) => ({ name: 'waiting', data: { n } })));
  }
  service = await startService({
    REDIS_URL: 'redis://127.0.0.1:1',
    JOBSCOPE_REDIS_CLUSTER_NODES: cluster.seedList,
    JOBSCOPE_PREFIXES: `${TAGGED_PREFIX},${PLAIN_PREFIX}`,
    JOBSCOPE_API_TOKEN: TOKEN,
  });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await Promise.allSettled([...queues.values()].map((q) => q.close()));
  producer?.disconnect();
  workerConnections.forEach((c) => c.disconnect());
  await service?.close();
  await cluster?.destroy();
});

test('discovery finds the queues of every master; counts and jobs equal BullMQ getters; order holds across slot groups', async () => {
  const { http, body } = await status('?limit=200');
  expect(http).toBe(200);
  const s = body!;
  expect(s.stale).toBe(false);
  expect(s.unreachable).toBeUndefined();
  expect(s.queues.map(id).sort()).toEqual(LAYOUT.map(id).sort());
  for (const q of LAYOUT) {
    const queue = queues.get(id(q))!;
    const c = await queue.getJobCounts('active', 'wait', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed');
    const summary = s.queues.find((x) => id(x) === id(q))!;
    expect({ q: id(q), counts: summary.counts }).toEqual({
      q: id(q),
      counts: { RUNNING: c.active, PENDING: c.wait + c.prioritized, DELAYED: c.delayed, WAITING_CHILDREN: c['waiting-children'], FAILURE: c.failed, SUCCESS: c.completed },
    });
    for (const [state, types] of [['FAILURE', ['failed']], ['SUCCESS', ['completed']], ['PENDING', ['wait']], ['DELAYED', ['delayed']]] as const) {
      const expected = (await queue.getJobs([...types])).map((j) => j.id!).sort();
      const listed = s.jobs.filter((j) => queueOf(j) === id(q) && j.state === state).map((j) => j.id).sort();
      expect({ q: id(q), state, ids: listed }).toEqual({ q: id(q), state, ids: expected });
    }
  }
  // One list across all slot groups, in display order: by state, finished jobs newest first.
  const ranks = s.jobs.map((j) => stateRank(j.state));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  for (const state of ['FAILURE', 'SUCCESS'] as const) {
    const finished = s.jobs.filter((j) => j.state === state).map((j) => j.finishedAtMs!);
    expect(finished).toEqual([...finished].sort((a, b) => b - a));
  }
  // A job's detail is read on the node that owns its slot.
  const failed = s.jobs.find((j) => j.state === 'FAILURE' && j.prefix === PLAIN_PREFIX)!;
  const detail = await getJson(service, jobPath(failed));
  expect(detail.status).toBe(200);
  expect(detail.body.failedReason).toMatch(/failed on purpose/);
});

test('one snapshot script call per slot group (plus one for the listed jobs\' fields), each on the master owning it; one CLIENT LIST per master; no writes', async () => {
  await status(); // scripts loaded everywhere
  const masters = (await cluster.topology()).filter((n) => n.role === 'master');
  const groups = new Set(LAYOUT.map(slotOf));
  for (const n of cluster.nodes) {
    await ask(n.port, (r) => r.call('CONFIG', 'RESETSTAT'));
  }
  const dirtyBefore = await Promise.all(masters.map((m) => ask(m.port, (r) => r.info('persistence'))));
  const { http, body } = await status();
  expect(http).toBe(200);
  // Four slot groups: positions from one call per group, then the listed jobs' fields from one call per group that
  // has any of them (the two-step read over many calls).
  const listedGroups = new Set(body!.jobs.map((j) => calculateSlot(`${queueOf(j)}:`)));
  const served = (m: { slots: Array<[number, number]> }, slots: Iterable<number>) =>
    [...slots].filter((slot) => m.slots.some(([a, b]) => slot >= a && slot <= b)).length;
  let scriptCalls = 0;
  for (const m of masters) {
    const calls = await commandstats(m.port);
    const made = (calls.evalsha ?? 0) + (calls.eval ?? 0) + (calls.evalsha_ro ?? 0) + (calls.eval_ro ?? 0);
    const expected = served(m, groups) + served(m, listedGroups);
    expect({ port: m.port, scripts: made }).toEqual({ port: m.port, scripts: expected });
    scriptCalls += made;
  }
  expect(scriptCalls).toBe(groups.size + listedGroups.size);
  for (const m of masters) {
    expect({ port: m.port, clientList: (await commandstats(m.port))['client|list'] }).toEqual({ port: m.port, clientList: 1 });
  }
  const dirtyAfter = await Promise.all(masters.map((m) => ask(m.port, (r) => r.info('persistence'))));
  const changes = (info: string) => Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
  expect(dirtyAfter.map(changes)).toEqual(dirtyBefore.map(changes));
});

test('enqueue and a job action work on the Cluster', async () => {
  const add = await getJson(service, API_PATHS.jobs, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ queue: '{images}', name: 'resize', data: { w: 10 } }),
  });
  expect(add.status).toBe(201);
  const images = queues.get(id({ prefix: PLAIN_PREFIX, name: '{images}' }))!;
  expect(await (await Job.fromId(images, add.body.id))?.getState()).toBe('waiting');

  const failed = (await queues.get(id({ prefix: TAGGED_PREFIX, name: 'sms' }))!.getFailed())[0];
  const retry = await getJson(service, jobPath({ source: 'bullmq', prefix: TAGGED_PREFIX, queue: 'sms', id: failed.id! }, 'retry'), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(retry.status).toBe(200);
  expect(await failed.getState()).toBe('waiting');
});

test('a queue action and the change marker work on the Cluster', async () => {
  const email = queues.get(id({ prefix: TAGGED_PREFIX, name: 'email' }))!;
  const marker = () => service.source.reads.changeMarker!();
  const before = await marker();
  expect(await marker()).toBe(before);
  const pause = await getJson(service, queueActionPath({ source: 'bullmq', prefix: TAGGED_PREFIX, name: 'email' }, 'pause'), {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(pause.status).toBe(200);
  expect(await email.isPaused()).toBe(true);
  expect(await marker()).not.toBe(before);
  await email.resume();
});

test('cancel reaches a running job through the workers\' Relay on the Cluster', async () => {
  const name = 'cancel-me';
  const queue = new Queue(name, { connection: producer, prefix: TAGGED_PREFIX });
  queue.on('error', () => undefined);
  let aborted: unknown = null;
  const worker = new Worker(
    name,
    (_job, _token, signal) =>
      new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => {
          aborted = signal.reason;
          reject(new Error(`cancelled: ${String(signal.reason)}`));
        });
      }),
    { connection: workerConnection(), prefix: TAGGED_PREFIX }
  );
  worker.on('error', () => undefined);
  const remote = await enableRemoteCancel(worker, { connection: workerConnection(), prefix: TAGGED_PREFIX });
  try {
    await queue.add('long', {}, { jobId: 'c-1' });
    await waitFor('the job runs', async () => (await queue.getJobState('c-1')) === 'active', 10_000);
    await service.source.queueRegistry.refresh();
    const res = await getJson(service, jobPath({ source: 'bullmq', prefix: TAGGED_PREFIX, queue: name, id: 'c-1' }, 'cancel'), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stop on the cluster' }),
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ action: 'cancel', delivered: 1 });
    await waitFor('the job fails', async () => (await queue.getJobState('c-1')) === 'failed', 10_000);
    expect(String(aborted)).toContain('stop on the cluster');
  } finally {
    await remote.close();
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await service.source.queueRegistry.refresh();
  }
});

test('a slot moved to another master while polling: no error, never half-read counts, fresh after the move', async () => {
  const q = { prefix: PLAIN_PREFIX, name: '{video}' };
  const slot = slotOf(q);
  const from = await cluster.masterOf(slot);
  const to = (await cluster.topology()).find((n) => n.role === 'master' && n.id !== from.id)!;
  const before = (await status()).body!.queues.find((x) => id(x) === id(q))!.counts;
  const answers: Array<{ http: number; stale: boolean | undefined; staleQueues: string[]; counts: unknown }> = [];
  await ask(to.port, (r) => r.call('CONFIG', 'RESETSTAT'));
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { http, body } = await status();
      answers.push({
        http,
        stale: body?.stale,
        staleQueues: (body?.queues ?? []).filter((x) => x.stale).map(id),
        counts: body?.queues.find((x) => id(x) === id(q))?.counts,
      });
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  // One key per step, 40 ms apart: polls meet the slot half-migrated (some keys on each side, ASK redirects).
  await cluster.moveSlot(slot, to.port, { keysPerStep: 1, pauseMs: 40 });
  await new Promise((r) => setTimeout(r, 300));
  polling = false;
  await poller;
  expect((await cluster.masterOf(slot)).port).toBe(to.port);
  expect(answers.length).toBeGreaterThan(3);
  // Never an error; while the slot is half-moved Redis refuses the queue's reads (TRYAGAIN) and the answer says that
  // queue is stale, with the last good counts: never counts read from half the keys.
  expect(answers.filter((a) => a.http !== 200 || a.stale || a.staleQueues.some((x) => x !== id(q)))).toEqual([]);
  expect(answers.filter((a) => JSON.stringify(a.counts) !== JSON.stringify(before)).map((a) => a.counts)).toEqual([]);
  // The client followed ASK redirects to the importing master (it sends ASKING first).
  expect((await commandstats(to.port)).asking).toBeGreaterThan(0);
  expect(answers[answers.length - 1].staleQueues).toEqual([]);
  expect((await status()).body!.queues.find((x) => id(x) === id(q))!.counts).toEqual(before);
});

test('a master killed while polling: its queues stale from the last good read, others fresh, health names it, fresh again within 5 s of the promotion', async () => {
  const victim = { prefix: PLAIN_PREFIX, name: '{reports}' };
  const slot = slotOf(victim);
  const master = await cluster.masterOf(slot);
  const onVictim = LAYOUT.filter((q) => (master.slots.some(([a, b]) => slotOf(q) >= a && slotOf(q) <= b))).map(id);
  const elsewhere = LAYOUT.map(id).filter((q) => !onVictim.includes(q));
  const lastGood = (await status()).body!;
  const answers: Array<{ http: number; body: StatusResponse | null; at: number }> = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const { http, body } = await status();
      answers.push({ http, body, at: Date.now() });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  cluster.kill(master.port);
  const staleSeen = await waitFor('a stale queue', () => answers.some((a) => a.body?.queues.some((q) => q.stale)), 10_000).then(() => true, () => false);
  // Health, and the uncached read the live stream's producers make, while the node is still only unreachable.
  const [health, uncached] = await Promise.all([getJson(service, API_PATHS.health), service.snapshots.read(StatusQuerySchema.parse({}))]);
  const promoted = await cluster.waitForPromotion(slot, master.port);
  const promotedAt = Date.now();
  await waitFor('fresh data after the promotion', () => {
    const last = answers[answers.length - 1];
    return Boolean(last && last.at > promotedAt && last.body && !last.body.queues.some((q) => q.stale));
  }, 5_000);
  const freshAt = answers.find((a) => a.at > promotedAt && a.body && !a.body.queues.some((q) => q.stale))!.at;
  polling = false;
  await poller;

  expect(answers.filter((a) => a.http !== 200)).toEqual([]);
  expect(staleSeen).toBe(true);
  const partial = answers.find((a) => a.body?.queues.some((q) => q.stale))!.body!;
  expect(partial.stale).toBe(false);
  for (const q of partial.queues) {
    if (onVictim.includes(id(q))) {
      expect({ q: id(q), stale: q.stale, reason: q.staleReason }).toEqual({ q: id(q), stale: true, reason: expect.stringContaining(`127.0.0.1:${master.port}`) });
      expect(q.counts).toEqual(lastGood.queues.find((x) => id(x) === id(q))!.counts);
    } else {
      expect({ q: id(q), stale: q.stale }).toEqual({ q: id(q), stale: undefined });
    }
  }
  // The stale queues keep the jobs the last good read listed; the other queues' jobs are read fresh.
  const staleJobs = (s: StatusResponse) => s.jobs.filter((j) => onVictim.includes(queueOf(j))).map((j) => j.id).sort();
  expect(staleJobs(partial)).toEqual(staleJobs(lastGood));
  expect(partial.unreachable).toEqual([expect.objectContaining({ node: `127.0.0.1:${master.port}`, source: 'bullmq', queues: expect.arrayContaining(onVictim) })]);
  expect(elsewhere.length).toBeGreaterThan(0);
  for (const q of uncached.queues.filter((x) => onVictim.includes(id(x)))) {
    expect({ q: id(q), stale: q.stale, counts: q.counts }).toEqual({ q: id(q), stale: true, counts: lastGood.queues.find((x) => id(x) === id(q))!.counts });
  }
  expect(health.body.checks['redis:nodes']).toEqual([expect.objectContaining({ status: 'fail', componentId: `127.0.0.1:${master.port}` })]);

  expect(promoted.port).not.toBe(master.port);
  expect(freshAt - promotedAt).toBeLessThan(5_000);
  const after = (await status()).body!;
  expect(after.unreachable).toBeUndefined();
  expect(after.queues.find((q) => id(q) === id(victim))!.counts).toEqual(lastGood.queues.find((q) => id(q) === id(victim))!.counts);
});
