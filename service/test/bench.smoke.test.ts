import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { checkDatasetSample, checkGeneratorAgainstReference, copyIdOf, DatasetCheckError } from '../bench/dataset-check';
import { countHistory, planHistory, writeHistory, type OptsTemplates } from '../bench/dataset';
import { KeyLedger, keysUnderPrefix } from '../bench/keyspace';
import { addLiveJobs, startHangingWorkers, type LiveJobOptions, type RunningWorkers } from '../bench/live-jobs';
import { NaiveSnapshotter } from '../bench/naive-snapshot';
import { parseOptions } from '../bench/options';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { makeReferenceJobs, REFERENCE_QUEUE, type ReferenceJobs } from '../bench/reference-jobs';
import { RespWriter } from '../bench/resp-writer';

/**
 * Smoke test of the benchmark's build and check steps on tiny sizes (no timing): the generated job hashes must read
 * back through BullMQ exactly like jobs a real Worker finished, the checks must catch a wrong hash, and the cleanup
 * must leave no key behind. Runs on a private redis-server.
 */
jest.setTimeout(60_000);

const live: LiveJobOptions = { waiting: 5, prioritized: 2, delayed: 2, workerQueues: 1, concurrency: 1 };
let server: PrivateRedis;
let redis: Redis;
let writer: RespWriter;
let refs: ReferenceJobs;
let workers: RunningWorkers | null = null;
const prefix = `jobscope-bench-test-${process.pid}`;
const ledger = new KeyLedger(prefix);
const plan = planHistory(prefix, 2, 300, 100);
let opts: OptsTemplates;

beforeAll(async () => {
  server = await PrivateRedis.start();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  writer = new RespWriter(server.url);
  await writer.connect();
  ledger.addQueue(REFERENCE_QUEUE);
  plan.queues.forEach((q) => ledger.addQueue(q, plan.totalIds));
  refs = await makeReferenceJobs(redis, prefix);
  opts = { completed: refs.completed.record.opts, failed: refs.failed.record.opts };
});

afterAll(async () => {
  await workers?.close();
  writer?.close();
  redis?.disconnect();
  await server?.destroy();
});

it('re-encodes real completed and failed jobs so that Job.fromId reads them identically', async () => {
  for (const key of await checkGeneratorAgainstReference(redis, prefix, refs)) {
    ledger.addKey(key);
  }
  const queue = new Queue(REFERENCE_QUEUE, { connection: redis, prefix, skipMetasUpdate: true, skipVersionCheck: true });
  try {
    for (const ref of [refs.completed, refs.failed]) {
      const real = (await Job.fromId(queue, ref.id))!.asJSON();
      const generated = (await Job.fromId(queue, copyIdOf(ref)))!.asJSON();
      expect({ ...generated, id: real.id }).toEqual(real);
      expect(await redis.hgetall(`${prefix}:${REFERENCE_QUEUE}:${copyIdOf(ref)}`)).toEqual(ref.hash);
    }
    expect(refs.failed.record.outcome).toMatchObject({ state: 'failed' });
    expect(refs.failed.record.attemptsMade).toBe(3);
  } finally {
    await queue.close();
  }
});

it('rejects a generator that leaves out a field a real Worker writes', async () => {
  const withoutWorkerName: ReferenceJobs = {
    ...refs,
    completed: { ...refs.completed, record: { ...refs.completed.record, processedBy: null } },
  };
  await expect(checkGeneratorAgainstReference(redis, prefix, withoutWorkerName)).rejects.toThrow(/completed hash differs in pb/);
});

it('builds a small history, grows it, and BullMQ agrees with what was written', async () => {
  await writeHistory(writer, plan, opts, plan.smallFrom, plan.totalIds);
  await addLiveJobs(redis, prefix, plan.queues, live);
  workers = await startHangingWorkers(redis, prefix, plan.queues, live);
  const small = await checkDatasetSample(redis, { plan, opts, refs, live, fromId: plan.smallFrom });
  const smallHistory = countHistory(plan.smallFrom, plan.totalIds);
  expect(smallHistory).toEqual({ completed: 100, failed: 1 });
  expect(small.totalJobs).toBe(2 * (101 + 5 + 2 + 2));

  await writeHistory(writer, plan, opts, 1, plan.smallFrom - 1);
  const big = await checkDatasetSample(redis, { plan, opts, refs, live, fromId: 1 });
  expect(countHistory(1, plan.totalIds)).toEqual({ completed: 300, failed: 3 });
  expect(big.totalJobs).toBe(2 * (303 + 5 + 2 + 2));
  expect(big.jobsChecked).toBeGreaterThan(10);

  // The naive BullMQ way sees the same newest completed jobs, scored by finishedOn.
  const naive = new NaiveSnapshotter(redis, prefix, plan.queues);
  try {
    const top = await naive.snapshot(4, 'SUCCESS');
    expect(top.ids).toEqual([`${plan.queues[0]}/${plan.totalIds - 1}`, `${plan.queues[1]}/${plan.totalIds - 1}`,
      `${plan.queues[0]}/${plan.totalIds - 2}`, `${plan.queues[1]}/${plan.totalIds - 2}`]);
  } finally {
    await naive.close();
  }
});

it('fails loudly when a generated hash or count is wrong', async () => {
  const key = `${prefix}:${plan.queues[0]}:1`;
  const before = await redis.hget(key, 'atm');
  await redis.hset(key, 'atm', '2');
  await expect(checkDatasetSample(redis, { plan, opts, refs, live, fromId: 1 })).rejects.toThrow(
    new RegExp(`${plan.queues[0]}/1 \\(completed\\): Job.fromId differs in attemptsMade`)
  );
  await redis.hset(key, 'atm', before!);
  await redis.zrem(`${prefix}:${plan.queues[1]}:completed`, '5');
  const err = await checkDatasetSample(redis, { plan, opts, refs, live, fromId: 1 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DatasetCheckError);
  expect(String(err)).toContain(`${plan.queues[1]}: getJobCounts().completed = 299, expected 300`);
  await redis.zadd(`${prefix}:${plan.queues[1]}:completed`, 0, '5');
});

it('deletes every key it created by name', async () => {
  await workers?.close();
  workers = null;
  expect((await keysUnderPrefix(redis, prefix)).length).toBeGreaterThan(600);
  await ledger.deleteAll(redis);
  expect(await keysUnderPrefix(redis, prefix)).toEqual([]);
});

it('parses options: quick sizes, overrides and bad values', () => {
  const quick = parseOptions(['--quick', '--queues', '4'], {});
  expect(quick).toMatchObject({ quick: true, queues: 4, history: 2000, smallHistory: 200 });
  expect(parseOptions([], { BENCH_HISTORY: '1000', BENCH_SMALL_HISTORY: '100' })).toMatchObject({ queues: 20, history: 1000 });
  expect(() => parseOptions(['--requests', 'many'], {})).toThrow(/--requests must be an integer/);
  expect(() => parseOptions(['--bogus'], {})).toThrow(/unknown option --bogus/);
  expect(() => parseOptions(['--small-history', '9', '--history', '5'], {})).toThrow(/must not exceed/);
});
