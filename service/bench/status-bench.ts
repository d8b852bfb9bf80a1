/**
 * Benchmark of GET /api/settings/jobs/status: builds ~1 M BullMQ jobs (20 queues x 50,000 completed + 500 failed +
 * live jobs), checks them with BullMQ's own readers, and times the real service over HTTP at a small and a big
 * history against the naive BullMQ-API way. See README.md in this folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { checkDatasetSample, checkGeneratorAgainstReference } from './dataset-check';
import { countHistory, planHistory, writeHistory, type OptsTemplates } from './dataset';
import { KeyLedger, keysUnderPrefix, unlinkKeys } from './keyspace';
import { addLiveJobs, startHangingWorkers, type RunningWorkers } from './live-jobs';
import { NaiveSnapshotter } from './naive-snapshot';
import { OptionsError, parseOptions, type BenchOptions } from './options';
import { startPrivateRedis, type PrivateRedis } from './private-redis';
import { makeReferenceJobs, REFERENCE_QUEUE } from './reference-jobs';
import { consoleTable, environment, markdown, summarize, topDifferences, type BenchResults } from './report';
import { RespWriter } from './resp-writer';
import { runStage, type StageResult } from './run-stage';
import { spawnService, startService, type ServiceUnderTest } from './service-under-test';

const log = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** Everything that must be undone, in reverse order of creation. */
class Teardown {
  private readonly steps: Array<{ name: string; run: () => Promise<unknown> }> = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.run();
        } catch (err) {
          process.stderr.write(`cleanup: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
    })();
    return this.running;
  }
}

async function cleanPrefixOnly(options: BenchOptions, prefix: string): Promise<void> {
  if (!prefix.startsWith('jobscope-bench-')) {
    throw new OptionsError(`--clean only deletes bench prefixes (jobscope-bench-...), not "${prefix}"`);
  }
  const redis = new Redis(options.redisUrl);
  try {
    const keys = await keysUnderPrefix(redis, prefix, Number.MAX_SAFE_INTEGER);
    await unlinkKeys(redis, keys);
    log(`deleted ${keys.length} keys under ${prefix}:`);
  } finally {
    redis.disconnect();
  }
}

async function run(options: BenchOptions, teardown: Teardown): Promise<BenchResults> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  let redisUrl = options.redisUrl;
  if (options.private) {
    const server: PrivateRedis = await startPrivateRedis();
    teardown.add('stop private redis-server', () => server.stop());
    redisUrl = server.url;
  }
  const prefix = `jobscope-bench-${process.pid}`;
  log(`jobscope status bench${options.quick ? ' (quick)' : ''}: ${options.private ? 'private redis-server' : 'Redis'} ${redisUrl}, prefix ${prefix}`);

  // BullMQ Workers need maxRetriesPerRequest: null on a connection they are given.
  const bullConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const admin = new Redis(redisUrl);
  const writer = new RespWriter(redisUrl);
  await writer.connect();
  const ledger = new KeyLedger(prefix);
  teardown.add('close connections', async () => {
    writer.close();
    admin.disconnect();
    bullConnection.disconnect();
  });
  teardown.add(`delete keys under ${prefix}:`, async () => {
    const t = performance.now();
    const deleted = await ledger.deleteAll(admin);
    const left = await keysUnderPrefix(admin, prefix);
    if (left.length > 0) {
      await unlinkKeys(admin, left);
      process.stderr.write(`cleanup: ${left.length} keys were not deleted by name (now unlinked), e.g. ${left.slice(0, 5).join(', ')}\n`);
    }
    log(`cleanup: deleted ${deleted.toLocaleString('en-US')} keys by name in ${seconds(t)} s; ${left.length} left over`);
  });
  const redisVersion = /redis_version:([^\r\n]+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';

  // 1. Ground truth: real jobs finished by a real Worker; the generator must reproduce them exactly.
  ledger.addQueue(REFERENCE_QUEUE);
  const refs = await makeReferenceJobs(bullConnection, prefix);
  for (const key of await checkGeneratorAgainstReference(bullConnection, prefix, refs)) {
    ledger.addKey(key);
  }
  log('generator check: re-encoded real completed and failed jobs are identical (HGETALL and Job.fromId)');
  const opts: OptsTemplates = { completed: refs.completed.record.opts, failed: refs.failed.record.opts };

  // 2. Small stage: the newest ids of the history, live jobs, workers.
  const plan = planHistory(prefix, options.queues, options.history, options.smallHistory);
  for (const queue of plan.queues) {
    ledger.addQueue(queue, plan.totalIds);
  }
  let t = performance.now();
  const smallWritten = await writeHistory(writer, plan, opts, plan.smallFrom, plan.totalIds);
  await addLiveJobs(bullConnection, prefix, plan.queues, options.live);
  const workers: RunningWorkers = await startHangingWorkers(bullConnection, prefix, plan.queues, options.live);
  teardown.add('close workers', () => workers.close());
  const smallStageMs = performance.now() - t;
  let checked = await checkDatasetSample(bullConnection, { plan, opts, refs, live: options.live, fromId: plan.smallFrom });
  let jobsChecked = checked.jobsChecked;
  log(`small stage built in ${(smallStageMs / 1000).toFixed(1)} s: ${checked.totalJobs.toLocaleString('en-US')} jobs; ` +
    `getJobCounts of every queue and Job.fromId of ${checked.jobsChecked} sampled jobs agree`);

  const sut: ServiceUnderTest = await startService(redisUrl, prefix, plan.queues);
  teardown.add('stop in-process service', () => sut.close());
  let httpUrl = sut.url;
  if (options.spawn) {
    const spawned = await spawnService(redisUrl, prefix, plan.queues);
    teardown.add('stop spawned service', () => spawned.close());
    httpUrl = spawned.url;
  }
  const naive = new NaiveSnapshotter(admin, prefix, plan.queues);
  teardown.add('close naive queues', () => naive.close());
  log(`service listening on ${httpUrl} (${options.spawn ? 'src/main.ts in its own process' : 'in-process'})`);

  const stageArgs = { httpUrl, sut, naive, admin, requests: options.requests, naiveRequests: options.naiveRequests, warmup: options.warmup, log };
  const stages: StageResult[] = [];
  const small = countHistory(plan.smallFrom, plan.totalIds);
  stages.push(await runStage({ ...stageArgs, label: `${small.completed}/q`, completedPerQueue: small.completed, failedPerQueue: small.failed }));

  // 3. Grow to the full history (older ids), check again, measure again.
  t = performance.now();
  const grown = await writeHistory(writer, plan, opts, 1, plan.smallFrom - 1);
  const growMs = performance.now() - t;
  checked = await checkDatasetSample(bullConnection, { plan, opts, refs, live: options.live, fromId: 1 });
  jobsChecked += checked.jobsChecked;
  log(`grew to ${checked.totalJobs.toLocaleString('en-US')} jobs in ${(growMs / 1000).toFixed(1)} s ` +
    `(${Math.round(grown / (growMs / 1000)).toLocaleString('en-US')} hashes/s); BullMQ counts and samples agree`);
  const big = countHistory(1, plan.totalIds);
  stages.push(await runStage({ ...stageArgs, label: `${big.completed}/q`, completedPerQueue: big.completed, failedPerQueue: big.failed }));

  const { quick, private: isPrivate, spawn, live, queues, history, smallHistory, requests, naiveRequests, warmup } = options;
  return {
    finishedAt: new Date().toISOString(),
    quick,
    environment: environment(redisVersion, isPrivate, loadAtStart),
    options: { quick, private: isPrivate, spawn, live, queues, history, smallHistory, requests, naiveRequests, warmup },
    build: {
      smallStageMs,
      growMs,
      hashesWritten: smallWritten + grown,
      hashesPerSecond: grown / (growMs / 1000),
      jobsCheckedWithBullMQ: jobsChecked,
    },
    stages,
    ...summarize(stages),
    totalSeconds: (performance.now() - started) / 1000,
  };
}

function save(results: BenchResults): void {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const name = results.quick ? 'quick.json' : 'latest.json';
  fs.writeFileSync(path.join(dir, name), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote bench/results/${name}`);
  if (!results.quick) {
    const md = `# jobscope status route: benchmark results\n\nWritten by \`npm run bench\` (see README.md for what the columns mean).\n\n${markdown(results)}\n`;
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
    log('wrote bench/RESULTS.md');
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  if (options.cleanPrefix) {
    await cleanPrefixOnly(options, options.cleanPrefix);
    return;
  }
  const teardown = new Teardown();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: cleaning up before exit...\n`);
      void teardown.run().finally(() => process.exit(130));
    });
  }
  let results: BenchResults | null = null;
  try {
    results = await run(options, teardown);
  } catch (err) {
    if (!interrupted) {
      process.stderr.write(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  } finally {
    await teardown.run();
  }
  if (!results || interrupted) {
    return;
  }
  log(`\n${consoleTable(results)}\n`);
  const diffs = topDifferences(results);
  if (diffs.length > 0) {
    log(`TOP-20 DIFFERS between jobscope and the naive way:\n  ${diffs.join('\n  ')}\n`);
  }
  log(`Markdown for the README:\n\n${markdown(results)}`);
  save(results);
  log(`total ${results.totalSeconds.toFixed(0)} s`);
  // Workers' and ioredis' timers are closed; exit anyway in case a library keeps a handle open.
  process.exit(process.exitCode ?? 0);
}

void main();
