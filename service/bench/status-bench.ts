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
import { countHistory, planHistory, writeHistory, type HistoryPlan, type OptsTemplates } from './dataset';
import { KeyLedger, keysUnderPrefix, unlinkKeys } from './keyspace';
import { addLiveJobs, startHangingWorkers, type RunningWorkers } from './live-jobs';
import { NaiveSnapshotter } from './naive-snapshot';
import { HelpRequested, OptionsError, parseOptions, type BenchOptions } from './options';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { makeReferenceJobs, REFERENCE_QUEUE } from './reference-jobs';
import { apiConsole, apiMarkdown, consoleTable, environment, floorConsole, floorMarkdown, markdown, redisTimeMarkdown, serviceCommit, summarize, topDifferences, type BenchResults } from './report';
import { RespWriter } from './resp-writer';
import { measureStages, type Stage } from './measure-stages';
import { measureApi } from './measure-api';
import { measureFloor, profileUncachedAll } from './measure-floor';
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

/** Where each dataset lives: `<root>-1k` and `<root>-50k` (named by completed jobs per queue); reference jobs under the root. */
function datasetPrefix(root: string, completed: number): string {
  return `${root}-${completed >= 1000 && completed % 1000 === 0 ? `${completed / 1000}k` : completed}`;
}

async function cleanPrefixOnly(options: BenchOptions, root: string): Promise<void> {
  if (!/^jobscope-bench-\d+$/.test(root)) {
    throw new OptionsError(`--clean takes the prefix a bench run printed (jobscope-bench-<pid>), not "${root}"`);
  }
  const redis = new Redis(options.redisUrl);
  try {
    // The run's own prefixes only: `<root>:*` and `<root>-<size>:*`.
    const keys = [...(await keysUnderPrefix(redis, root, Number.MAX_SAFE_INTEGER))];
    for (const size of [options.smallHistory, options.history]) {
      keys.push(...(await keysUnderPrefix(redis, datasetPrefix(root, size), Number.MAX_SAFE_INTEGER)));
    }
    await unlinkKeys(redis, keys);
    log(`deleted ${keys.length} keys under ${root}: and its dataset prefixes`);
  } finally {
    redis.disconnect();
  }
}

interface Dataset {
  label: string;
  prefix: string;
  plan: HistoryPlan;
  fromId: number;
}

async function run(options: BenchOptions, teardown: Teardown): Promise<BenchResults> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  const commit = serviceCommit();
  let redisUrl = options.redisUrl;
  if (options.private) {
    const server = await PrivateRedis.start();
    teardown.add('stop private redis-server', () => server.destroy());
    redisUrl = server.url;
  }
  const root = `jobscope-bench-${process.pid}`;
  log(`jobscope status bench${options.quick ? ' (quick)' : ''}: ${options.private ? 'private redis-server' : 'Redis'} ${redisUrl}, prefix ${root}`);

  // BullMQ Workers need maxRetriesPerRequest: null on a connection they are given.
  const bullConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const admin = new Redis(redisUrl);
  const writer = new RespWriter(redisUrl);
  await writer.connect();
  const ledgers: KeyLedger[] = [];
  teardown.add('close connections', async () => {
    writer.close();
    admin.disconnect();
    bullConnection.disconnect();
  });
  teardown.add(`delete keys under ${root}`, async () => {
    const t = performance.now();
    let deleted = 0;
    let left: string[] = [];
    for (const ledger of ledgers) {
      deleted += await ledger.deleteAll(admin);
      left = left.concat(await keysUnderPrefix(admin, ledger.prefix));
    }
    if (left.length > 0) {
      await unlinkKeys(admin, left);
      process.stderr.write(`cleanup: ${left.length} keys were not deleted by name (now unlinked), e.g. ${left.slice(0, 5).join(', ')}\n`);
    }
    log(`cleanup: deleted ${deleted.toLocaleString('en-US')} keys by name in ${seconds(t)} s; ${left.length} left over`);
  });
  const redisVersion = /redis_version:([^\r\n]+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';

  // 1. Ground truth: real jobs finished by a real Worker; the generator must reproduce them exactly.
  const rootLedger = new KeyLedger(root);
  ledgers.push(rootLedger);
  rootLedger.addQueue(REFERENCE_QUEUE);
  const refs = await makeReferenceJobs(bullConnection, root);
  for (const key of await checkGeneratorAgainstReference(bullConnection, root, refs)) {
    rootLedger.addKey(key);
  }
  log('generator check: re-encoded real completed and failed jobs are identical (HGETALL and Job.fromId)');
  const opts: OptsTemplates = { completed: refs.completed.record.opts, failed: refs.failed.record.opts };

  // 2. Two datasets with the same queues and the same newest jobs: the small one holds only the newest ids.
  const bigPlan = planHistory(datasetPrefix(root, options.history), options.queues, options.history, options.smallHistory);
  const small = countHistory(bigPlan.smallFrom, bigPlan.totalIds);
  const big = countHistory(1, bigPlan.totalIds);
  const datasets: Dataset[] = [
    { label: `${small.completed}/q`, prefix: datasetPrefix(root, small.completed), plan: { ...bigPlan, prefix: datasetPrefix(root, small.completed) }, fromId: bigPlan.smallFrom },
    { label: `${big.completed}/q`, prefix: bigPlan.prefix, plan: bigPlan, fromId: 1 },
  ];
  if (options.floorOnly) {
    // --floor-only: the big dataset alone (the floor section measures nothing else).
    datasets.splice(0, datasets.length - 1);
  }
  let hashesWritten = 0;
  let jobsChecked = 0;
  let bigBuild = { ms: 0, hashes: 0 };
  for (const d of datasets) {
    const ledger = new KeyLedger(d.prefix);
    ledgers.push(ledger);
    d.plan.queues.forEach((q) => ledger.addQueue(q, d.plan.totalIds));
    const t = performance.now();
    const written = await writeHistory(writer, d.plan, opts, d.fromId, d.plan.totalIds);
    const ms = performance.now() - t;
    hashesWritten += written;
    if (d.fromId === 1) bigBuild = { ms, hashes: written };
    await addLiveJobs(bullConnection, d.prefix, d.plan.queues, options.live);
    const workers: RunningWorkers = await startHangingWorkers(bullConnection, d.prefix, d.plan.queues, options.live);
    teardown.add(`close workers of ${d.prefix}`, () => workers.close());
    const checked = await checkDatasetSample(bullConnection, { plan: d.plan, opts, refs, live: options.live, fromId: d.fromId });
    jobsChecked += checked.jobsChecked;
    log(`${d.prefix}: ${checked.totalJobs.toLocaleString('en-US')} jobs (${written.toLocaleString('en-US')} hashes in ` +
      `${(ms / 1000).toFixed(1)} s); getJobCounts of every queue and Job.fromId of ${checked.jobsChecked} sampled jobs agree`);
  }
  const memory = await admin.info('memory');

  // 3. The service per dataset: spawned src/main.ts for HTTP, an in-process one for the in-process column.
  const stages: Stage[] = [];
  for (const d of datasets) {
    const sut: ServiceUnderTest = await startService(redisUrl, d.prefix, d.plan.queues);
    teardown.add(`stop in-process service of ${d.prefix}`, () => sut.close());
    let httpUrl = sut.url;
    if (options.spawn) {
      const spawned = await spawnService(redisUrl, d.prefix, d.plan.queues);
      teardown.add(`stop spawned service of ${d.prefix}`, () => spawned.close());
      httpUrl = spawned.url;
    }
    const naive = new NaiveSnapshotter(admin, d.prefix, d.plan.queues);
    teardown.add(`close naive queues of ${d.prefix}`, () => naive.close());
    const counts = countHistory(d.fromId, d.plan.totalIds);
    stages.push({ label: d.label, prefix: d.prefix, completedPerQueue: counts.completed, failedPerQueue: counts.failed, httpUrl, sut, naive });
    log(`${d.prefix}: service on ${httpUrl} (${options.spawn ? 'src/main.ts in its own process' : 'in-process'})`);
  }

  const results = options.floorOnly
    ? []
    : await measureStages(stages, {
        admin, requests: options.requests, naiveRequests: options.naiveRequests, warmup: options.warmup, rounds: options.rounds, log,
      });

  // 4. The other read routes on the same services: job detail, pages by cursor, search.
  const api = options.floorOnly ? ({} as BenchResults['api']) : await measureApi(
    datasets.map((d, i) => ({
      label: d.label, prefix: d.prefix, queues: d.plan.queues, httpUrl: stages[i].httpUrl, fromId: d.fromId, totalIds: d.plan.totalIds,
    })),
    results[results.length - 1]?.totalJobs ?? 0,
    { admin, requests: options.requests, slowRequests: options.naiveRequests, warmup: options.warmup, rounds: options.rounds, log }
  );

  // 5. The floor (bare node:http with the same bytes) against the uncached and the cached service, big history.
  const bigDataset = datasets[datasets.length - 1];
  const bigStage = stages[stages.length - 1];
  const spawnBig = (extraEnv: Record<string, string> = {}, nodeArgs: string[] = []) =>
    spawnService(redisUrl, bigDataset.prefix, bigDataset.plan.queues, 20_000, extraEnv, nodeArgs);
  log('floor: bare node:http with the same reply bytes vs the service (uncached TTL 0, cached default TTL)');
  const cached = await spawnBig({ JOBSCOPE_SNAPSHOT_TTL_MS: '' });
  teardown.add('stop cached service', () => cached.close());
  const floor = await measureFloor({
    admin, uncachedUrl: bigStage.httpUrl, cachedUrl: cached.url, sut: bigStage.sut, label: bigDataset.label,
    requests: options.requests, warmup: options.warmup, rounds: options.rounds, log,
  });
  await cached.close();
  const profile = options.profile
    ? await profileUncachedAll({ start: (nodeArgs) => spawnBig({}, nodeArgs), requests: options.requests, warmup: options.warmup, log })
    : undefined;

  const { quick, private: isPrivate, spawn, live, queues, history, smallHistory, requests, naiveRequests, warmup, rounds } = options;
  return {
    finishedAt: new Date().toISOString(),
    quick,
    environment: environment(redisVersion, isPrivate, loadAtStart, commit),
    options: { quick, private: isPrivate, spawn, profile: options.profile, floorOnly: options.floorOnly, live, queues, history, smallHistory, requests, naiveRequests, warmup, rounds },
    build: {
      bigBuildMs: bigBuild.ms,
      hashesWritten,
      hashesPerSecond: bigBuild.hashes / (bigBuild.ms / 1000),
      jobsCheckedWithBullMQ: jobsChecked,
      redisUsedMemoryMb: Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? NaN) / 2 ** 20,
      redisKeys: await admin.dbsize(),
    },
    stages: results,
    ...(options.floorOnly ? ({} as ReturnType<typeof summarize>) : summarize(results)),
    api,
    floor,
    ...(profile ? { profile } : {}),
    totalSeconds: (performance.now() - started) / 1000,
  };
}

function save(results: BenchResults): void {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  if (results.options.floorOnly) {
    // Not a full run: its own file, RESULTS.md untouched; the Markdown of the floor section goes to the console.
    fs.writeFileSync(path.join(dir, 'floor.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`\n${floorMarkdown(results)}\n\nwrote bench/results/floor.json`);
    return;
  }
  const name = results.quick ? 'quick.json' : 'latest.json';
  fs.writeFileSync(path.join(dir, name), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote bench/results/${name}`);
  if (!results.quick) {
    const md =
      '# jobscope status route: benchmark results\n\nWritten by `npm run bench` (see README.md for what the columns mean).\n\n' +
      `${markdown(results)}\n\n${redisTimeMarkdown(results)}\n\n## Floor and profile\n\n${floorMarkdown(results)}\n\n## Job detail, pages and search\n\n${apiMarkdown(results)}\n`;
    // Keep what follows the generated sections across status bench runs: the hand-written before/after of the
    // uncached route (--floor-only runs, issue 11) and the section stream-bench.ts writes ("## Live stream", last).
    const file = path.join(__dirname, 'RESULTS.md');
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const kept = ['\n## Uncached status route: before / after\n', '\n## Live stream\n'].map((h) => previous.indexOf(h)).filter((i) => i >= 0);
    const live = kept.length ? Math.min(...kept) : -1;
    fs.writeFileSync(file, live < 0 ? md : `${md}${previous.slice(live)}`);
    log('wrote bench/RESULTS.md');
  }
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      log(err.message);
      process.exit(0);
    }
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  if (options.cleanPrefix) {
    try {
      await cleanPrefixOnly(options, options.cleanPrefix);
    } catch (err) {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof OptionsError ? 2 : 1;
    }
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
  if (results.options.floorOnly) {
    log(`\n${floorConsole(results)}\n`);
    save(results);
    log(`total ${results.totalSeconds.toFixed(0)} s`);
    process.exit(process.exitCode ?? 0);
  }
  log(`\n${consoleTable(results)}\n`);
  log(`${apiConsole(results)}\n`);
  log(`${floorConsole(results)}\n`);
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
