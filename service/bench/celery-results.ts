/**
 * `npm run bench:celery`: the Celery source against many stored results, on a private redis-server (nothing else
 * runs there). Per history size (default 1,000, 10,000 and 100,000 `celery-task-meta-<uuid>` keys, each in its own
 * database of that server) the real service (`createService`, JOBSCOPE_CELERY_BROKER_URL = that database) is started
 * and timed:
 *
 * - bootstrap: from createService until the in-memory result index holds all N results (the background SCAN + MGET),
 *   with the SCAN calls and Redis time it took, and the first request after it (it sorts the bootstrap into the
 *   index's lists);
 * - the status route through `app.request` (in-process, snapshot cache off: `JOBSCOPE_SNAPSHOT_TTL_MS=0`): p50/p99,
 *   Redis time per request (INFO commandstats µs delta / requests) and Redis CPU per request, for the default view,
 *   `state=SUCCESS`, `state=FAILURE` and `compat=seed`, in blocks interleaved between the sizes (`--rounds`), so the
 *   ratios 100k / 1k come from one run under the same machine load;
 * - SCAN and KEYS calls during the whole request phase (must be 0: a request reads memory and one MGET).
 *
 * The stored values are what Celery 5's Redis result backend writes with `result_extended` (SETEX with
 * `result_expires`, 1 day): when /usr/bin/python3 has Celery, one SUCCESS and one FAILURE are first produced by a real
 * worker and used as templates; otherwise built-in copies of such values. Figures, not a pass/fail test; it stops
 * only when an answer is wrong (counts, newest results, a SCAN on a request).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import Redis from 'ioredis';
import { CeleryWorker, celeryMissing, celeryOracle } from '../../scripts/lib/celery-worker';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createService, type Service } from '../src/service';
import type { CelerySource } from '../src/sources/celery/celery-source';
import { latencyStats, redisCpuSeconds, type LatencyStats } from './measure';
import { serviceCommit } from './report';
import { type CommandStats, commandStats, statsDelta } from './commandstats';

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Options {
  sizes: number[];
  requests: number;
  rounds: number;
  warmup: number;
}

const USAGE = `usage: npm run bench:celery [-- options]
  --sizes A,B,C    stored results per dataset (1000,10000,100000)     env BENCH_CELERY_SIZES
  --requests N     timed requests per size and view (2000)            env BENCH_REQUESTS
  --rounds N       interleaved blocks per figure (10)                 env BENCH_ROUNDS
  --warmup N       untimed requests per size and view first (200)     env BENCH_WARMUP
  --quick          1000,10000 results, 200 requests, 2 rounds`;

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help') {
      log(USAGE);
      process.exit(0);
    }
    if (arg === '--quick') {
      flags.set('quick', '1');
      continue;
    }
    const m = /^--(sizes|requests|rounds|warmup)(?:=(.*))?$/.exec(arg);
    if (!m) {
      throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      throw new Error(`--${m[1]} needs a value`);
    }
    flags.set(m[1], value);
  }
  const quick = flags.has('quick') || env.BENCH_QUICK === '1';
  const int = (name: string, envName: string, fallback: number, min: number) => {
    const raw = flags.get(name) ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  const sizesRaw = flags.get('sizes') ?? env.BENCH_CELERY_SIZES ?? (quick ? '1000,10000' : '1000,10000,100000');
  const sizes = sizesRaw.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 100) || sizes.length > 15) {
    throw new Error(`--sizes takes 1 to 15 whole numbers >= 100, got "${sizesRaw}"`);
  }
  const options = {
    sizes,
    requests: int('requests', 'BENCH_REQUESTS', quick ? 200 : 2000, 1),
    rounds: int('rounds', 'BENCH_ROUNDS', quick ? 2 : 10, 1),
    warmup: int('warmup', 'BENCH_WARMUP', quick ? 20 : 200, 0),
  };
  if (options.requests < options.rounds) throw new Error('--requests must be at least --rounds');
  return options;
}

type Meta = Record<string, unknown>;

/** What Celery 5.2's Redis backend stores with result_extended (captured from a real worker; keys in its order). */
const BUILT_IN: { success: Meta; failure: Meta } = {
  success: {
    status: 'SUCCESS', result: 5, traceback: null, children: [], date_done: '2026-12-03T12:00:00.000000',
    name: 'jobscope_tasks.add', args: [2, 3], kwargs: {}, worker: 'ref@jobscope-bench', retries: 0, queue: 'celery',
    task_id: '00000000-0000-0000-0000-000000000000',
  },
  failure: {
    status: 'FAILURE', result: { exc_type: 'ValueError', exc_message: ['bench failure'], exc_module: 'builtins' },
    traceback: 'Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/celery/app/trace.py", line 451, in trace_task\n    R = retval = fun(*args, **kwargs)\n  File "/usr/lib/python3/dist-packages/celery/app/trace.py", line 734, in __protected_call__\n    return self.run(*args, **kwargs)\n  File "scripts/celery/jobscope_tasks.py", line 73, in fail\n    raise ValueError(message)\nValueError: bench failure\n',
    children: [], date_done: '2026-12-03T12:00:00.000000', name: 'jobscope_tasks.fail', args: ['bench failure'], kwargs: {},
    worker: 'ref@jobscope-bench', retries: 0, queue: 'celery', task_id: '00000000-0000-0000-0000-000000000001',
  },
};

/** One SUCCESS and one FAILURE written by a real Celery worker (on a database no dataset uses), as templates. */
async function referenceResults(server: PrivateRedis, db: number): Promise<{ success: Meta; failure: Meta; source: string }> {
  const missing = celeryMissing();
  if (missing) {
    log(`reference: no real Celery (${missing}); built-in copies of Celery 5.2 results`);
    return { ...BUILT_IN, source: 'built-in copy of Celery 5.2 results' };
  }
  const url = `${server.url}/${db}`;
  const worker = await CeleryWorker.start({ brokerUrl: url, hostname: 'ref@jobscope-bench', concurrency: 1 });
  const redis = new Redis(url);
  try {
    const ok = await celeryOracle<{ id: string }>(url, { op: 'send', task: 'jobscope_tasks.add', args: [2, 3] });
    const bad = await celeryOracle<{ id: string }>(url, { op: 'send', task: 'jobscope_tasks.fail', args: ['bench failure'] });
    const read = async (id: string, status: string): Promise<Meta> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const raw = await redis.get(`celery-task-meta-${id}`);
        const meta = raw ? (JSON.parse(raw) as Meta) : null;
        if (meta?.status === status) return meta;
        if (Date.now() > deadline) throw new Error(`reference task ${id} not ${status} in 20 s (stored: ${raw ?? 'nothing'})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const success = await read(ok.id, 'SUCCESS');
    const failure = await read(bad.id, 'FAILURE');
    const ttl = await redis.ttl(`celery-task-meta-${ok.id}`);
    log(`reference: real Celery worker wrote SUCCESS (${JSON.stringify(success).length} B) and FAILURE (${JSON.stringify(failure).length} B), TTL ${ttl} s; keys ${Object.keys(success).join(',')}`);
    return { success, failure, source: `real Celery worker (${Object.keys(success).length} fields, TTL ${ttl} s)` };
  } finally {
    redis.disconnect();
    await worker.stop(5000);
  }
}

interface Dataset {
  size: number;
  db: number;
  url: string;
  newestSuccess: string;
  newestFailure: string;
  failures: number;
  writeMs: number;
  bytes: number;
}

/** Celery's `date_done`: UTC ISO time without a zone, microseconds. */
const dateDone = (ms: number) => new Date(ms).toISOString().replace('Z', '000');

const FAIL_EVERY = 20;
const SPAN_MS = 7 * 24 * 3600_000;

/** N results finished over the last 7 days (higher index = later), 1 in 20 failed, pipelined SETEX in batches. */
async function writeDataset(server: PrivateRedis, db: number, size: number, ref: { success: Meta; failure: Meta }): Promise<Dataset> {
  const url = `${server.url}/${db}`;
  const redis = new Redis(url);
  const started = performance.now();
  const end = Date.now() - 60_000;
  let newestSuccess = '';
  let newestFailure = '';
  let failures = 0;
  let bytes = 0;
  const BATCH = 5000;
  for (let from = 0; from < size; from += BATCH) {
    const pipeline = redis.pipeline();
    for (let i = from; i < Math.min(size, from + BATCH); i++) {
      const id = randomUUID();
      const failed = i % FAIL_EVERY === FAIL_EVERY - 1;
      const meta: Meta = { ...(failed ? ref.failure : ref.success) };
      meta.date_done = dateDone(end - SPAN_MS + Math.floor((i * SPAN_MS) / size));
      meta.task_id = id;
      if (!failed) {
        meta.args = [i, 1];
        meta.result = i + 1;
      }
      const value = JSON.stringify(meta);
      bytes += value.length;
      pipeline.setex(`celery-task-meta-${id}`, 86400, value);
      if (failed) {
        failures += 1;
        newestFailure = id;
      } else {
        newestSuccess = id;
      }
    }
    await pipeline.exec();
  }
  const writeMs = performance.now() - started;
  const stored = await redis.dbsize();
  redis.disconnect();
  if (stored !== size) {
    throw new Error(`db ${db}: ${stored} keys after writing ${size} results`);
  }
  return { size, db, url, newestSuccess, newestFailure, failures, writeMs, bytes };
}


const scanCalls = (d: CommandStats) => (d.get('scan')?.calls ?? 0) + (d.get('keys')?.calls ?? 0);

interface Running {
  data: Dataset;
  service: Service;
  celery: CelerySource;
  bootstrapMs: number;
  feedMs: number;
  bootstrapScans: number;
  bootstrapRedisMs: number;
  heapMb: number;
  /** The first status request after the bootstrap (it sorts the bootstrap's batches into the index's lists). */
  firstRequestMs: number;
}

/** Heap in use after a full GC when node runs with --expose-gc (the npm script does), else as it is. */
function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function startOne(data: Dataset, admin: Redis): Promise<Running> {
  const before = await commandStats(admin);
  const heapBefore = heapUsed();
  const started = performance.now();
  const config = loadConfig({
    REDIS_URL: data.url,
    JOBSCOPE_CELERY_BROKER_URL: data.url,
    // No background inspect broadcast (no worker runs here) and no discovery: only requests and the bootstrap read.
    JOBSCOPE_CELERY_INSPECT: 'false',
    JOBSCOPE_QUEUES: 'bench-none',
    JOBSCOPE_SNAPSHOT_TTL_MS: '0',
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const service = await createService(config, createLogger('warn'));
  const celery = service.registry.sources.find((s) => s.id === 'celery') as unknown as CelerySource;
  if (!celery) {
    throw new Error('the service has no Celery source');
  }
  while (celery.index.size < data.size) {
    await new Promise((r) => setTimeout(r, 1));
  }
  const bootstrapMs = performance.now() - started;
  await celery.feed.ready();
  const d = statsDelta(before, await commandStats(admin));
  const redisUs = [...d.values()].reduce((a, c) => a + c.usec, 0);
  if (celery.index.size !== data.size) {
    throw new Error(`${data.size}: the index holds ${celery.index.size} results`);
  }
  return {
    data,
    service,
    celery,
    bootstrapMs,
    feedMs: celery.feed.lastBootstrap?.durationMs ?? NaN,
    bootstrapScans: scanCalls(d),
    bootstrapRedisMs: redisUs / 1000,
    heapMb: (heapUsed() - heapBefore) / 1e6,
    firstRequestMs: NaN,
  };
}

const VIEWS = [
  { view: 'all (20)', query: 'limit=20' },
  { view: 'SUCCESS (20)', query: 'state=SUCCESS&limit=20' },
  { view: 'FAILURE (20)', query: 'state=FAILURE&limit=20' },
  { view: 'seed compat', query: 'compat=seed' },
] as const;

interface Body {
  jobs?: Array<{ id: string; source: string; state: string }>;
  queues?: Array<{ source: string; counts: Record<string, number> }>;
  recentJobs?: Array<{ id: string; state: string }>;
}

async function request(r: Running, query: string): Promise<{ body: Body; bytes: number }> {
  const res = await r.service.app.request(`/api/settings/jobs/status?${query}`);
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(`${r.data.size}: status ${query} answered ${res.status}: ${text.slice(0, 300)}`);
  }
  return { body: JSON.parse(text) as Body, bytes: text.length };
}

/** The answers are right before anything is timed: counts, newest finished first, only Celery rows. */
async function checkAnswers(r: Running): Promise<void> {
  const all = (await request(r, 'limit=20')).body;
  const celeryQueues = all.queues!.filter((q) => q.source === 'celery');
  const total = celeryQueues.reduce((a, q) => a + Object.values(q.counts).reduce((x, y) => x + y, 0), 0);
  const failed = celeryQueues.reduce((a, q) => a + (q.counts.FAILURE ?? 0), 0);
  const success = (await request(r, 'state=SUCCESS&limit=20')).body.jobs!;
  const failure = (await request(r, 'state=FAILURE&limit=20')).body.jobs!;
  const seed = (await request(r, 'compat=seed')).body.recentJobs!;
  const problems = [
    total !== r.data.size && `counts add up to ${total}, not ${r.data.size}`,
    failed !== r.data.failures && `FAILURE count ${failed}, not ${r.data.failures}`,
    success[0]?.id !== r.data.newestSuccess && `newest SUCCESS is ${success[0]?.id}, not ${r.data.newestSuccess}`,
    failure[0]?.id !== r.data.newestFailure && `newest FAILURE is ${failure[0]?.id}, not ${r.data.newestFailure}`,
    (success.length !== 20 || failure.length !== 20) && `pages of ${success.length} / ${failure.length} jobs`,
    !all.jobs!.every((j) => j.source === 'celery') && 'non-Celery rows',
    (seed.length !== 20 || seed[0]?.id !== r.data.newestFailure) && `seed view: ${seed.length} jobs, first ${seed[0]?.id}`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`${r.data.size} results: ${problems.join('; ')}`);
  }
}

interface ViewResult {
  latency: LatencyStats;
  redisUsPerReq: number;
  redisCpuMs: number;
  commands: CommandStats;
  bytes: number;
  requests: number;
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const int = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const load = os.loadavg()[0];
  const server = await PrivateRedis.start();
  const admin = new Redis(server.url);
  const running: Running[] = [];
  const stopAll = async () => {
    await Promise.allSettled(running.map((r) => r.service.close()));
    admin.disconnect();
    await server.destroy();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? '?';
    const ref = await referenceResults(server, 15);
    const refDb = new Redis(`${server.url}/15`);
    await refDb.flushdb();
    refDb.disconnect();
    const datasets: Dataset[] = [];
    for (const [i, size] of options.sizes.entries()) {
      const d = await writeDataset(server, i, size, ref);
      datasets.push(d);
      log(`db ${i}: ${int(size)} results written in ${fmt(d.writeMs / 1000, 1)} s (${int(Math.round(size / (d.writeMs / 1000)))}/s, ${fmt(d.bytes / size, 0)} B each)`);
    }
    const memory = /used_memory_human:(\S+)/.exec(await admin.info('memory'))?.[1] ?? '?';

    // Bootstrap, one service at a time (the others' Redis clients are idle meanwhile).
    for (const d of datasets) {
      const r = await startOne(d, admin);
      running.push(r);
      const t = performance.now();
      await request(r, 'limit=20');
      r.firstRequestMs = performance.now() - t;
      await checkAnswers(r);
      log(`${int(d.size)}: index holds ${int(r.celery.index.size)} after ${fmt(r.bootstrapMs, 0)} ms (feed: ${fmt(r.feedMs, 0)} ms, ${r.bootstrapScans} SCAN, ${fmt(r.bootstrapRedisMs, 1)} ms Redis time), answers checked`);
    }

    // Requests, in blocks interleaved between sizes and views.
    const results = new Map<string, { samples: number[]; cpu: number; commands: CommandStats; bytes: number }>();
    const keyOf = (size: number, view: string) => `${size}|${view}`;
    for (const r of running) {
      for (const v of VIEWS) {
        for (let i = 0; i < options.warmup; i++) await request(r, v.query);
        results.set(keyOf(r.data.size, v.view), { samples: [], cpu: 0, commands: new Map(), bytes: 0 });
      }
    }
    const phaseBefore = await commandStats(admin);
    const perBlock = Math.ceil(options.requests / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      for (const r of running) {
        for (const v of VIEWS) {
          const acc = results.get(keyOf(r.data.size, v.view))!;
          const cmdBefore = await commandStats(admin);
          const cpuBefore = await redisCpuSeconds(admin);
          for (let i = 0; i < perBlock; i++) {
            const t = performance.now();
            const { bytes } = await request(r, v.query);
            acc.samples.push(performance.now() - t);
            acc.bytes = bytes;
          }
          acc.cpu += (await redisCpuSeconds(admin)) - cpuBefore;
          for (const [name, c] of statsDelta(cmdBefore, await commandStats(admin))) {
            const sum = acc.commands.get(name) ?? { calls: 0, usec: 0 };
            acc.commands.set(name, { calls: sum.calls + c.calls, usec: sum.usec + c.usec });
          }
        }
      }
    }
    const phase = statsDelta(phaseBefore, await commandStats(admin));
    const requestScans = scanCalls(phase);
    const totalRequests = [...results.values()].reduce((a, x) => a + x.samples.length, 0);

    const view = (size: number, name: string): ViewResult => {
      const acc = results.get(keyOf(size, name))!;
      const n = acc.samples.length;
      // The INFO calls around each block are the bench's own; every other command is the requests'.
      const redisUs = [...acc.commands.values()].reduce((a, c) => a + c.usec, 0);
      return { latency: latencyStats(acc.samples), redisUsPerReq: redisUs / n, redisCpuMs: (acc.cpu * 1000) / n, commands: acc.commands, bytes: acc.bytes, requests: n };
    };

    const small = running[0];
    const big = running[running.length - 1];
    const lines: string[] = [];
    const out = (l = '') => {
      lines.push(l);
    };
    out(`| Stored results | Bootstrap (index holds N) | of it the feed's SCAN + MGET | SCAN calls (bootstrap) | Redis time (bootstrap) | First request after it | Heap growth |`);
    out(`|---:|---:|---:|---:|---:|---:|---:|`);
    for (const r of running) {
      out(`| ${int(r.data.size)} | ${fmt(r.bootstrapMs, 0)} ms | ${fmt(r.feedMs, 0)} ms | ${r.bootstrapScans} | ${fmt(r.bootstrapRedisMs, 1)} ms | ${fmt(r.firstRequestMs, 1)} ms | ${fmt(r.heapMb, 1)} MB |`);
    }
    out();
    out(`| Stored results | View | p50 / p99 (app.request) | Redis time / req | Redis CPU / req | Reply |`);
    out(`|---:|---|---:|---:|---:|---:|`);
    for (const v of VIEWS) {
      for (const r of running) {
        const x = view(r.data.size, v.view);
        out(`| ${int(r.data.size)} | ${v.view} | ${fmt(x.latency.p50)} / ${fmt(x.latency.p99)} ms | ${fmt(x.redisUsPerReq, 0)} µs | ${fmt(x.redisCpuMs, 3)} ms | ${fmt(x.bytes / 1024, 1)} KB |`);
      }
    }
    out();
    // Also largest / second largest: the seed view reads the top 200 (STATUS_MAX_LIMIT), which at 1,000 results
    // (50 FAILURE) mixes FAILURE and SUCCESS rows and from 4,000 on is all FAILURE (bigger values, with tracebacks).
    const middle = running.length > 2 ? running[running.length - 2] : null;
    const pairs = [small, ...(middle ? [middle] : [])].map((r) => ({ r, label: `${int(big.data.size)} / ${int(r.data.size)}` }));
    out(`| Ratio (same run) | ${pairs.map((p) => p.label).join(' | ')} |`);
    out(`|---|${pairs.map(() => '---:').join('|')}|`);
    out(`| stored results | ${pairs.map((p) => `${fmt(big.data.size / p.r.data.size, 0)}×`).join(' | ')} |`);
    out(`| bootstrap time | ${pairs.map((p) => `${fmt(big.bootstrapMs / p.r.bootstrapMs, 1)}×`).join(' | ')} |`);
    for (const v of VIEWS) {
      const b = view(big.data.size, v.view);
      out(`| ${v.view}: p50 | ${pairs.map((p) => fmt(b.latency.p50 / view(p.r.data.size, v.view).latency.p50)).join(' | ')} |`);
      out(`| ${v.view}: Redis time / req | ${pairs.map((p) => fmt(b.redisUsPerReq / view(p.r.data.size, v.view).redisUsPerReq)).join(' | ')} |`);
    }
    out();
    out(`SCAN + KEYS calls during the ${int(totalRequests)} timed requests (INFO commandstats delta over the whole request phase): **${requestScans}** (${requestScans === 0 ? 'met' : 'MISSED'}: must be 0).`);
    out();
    out(`Redis time per request by command (µs per request, calls per request):`);
    out();
    for (const r of [small, big]) {
      for (const v of VIEWS) {
        const x = view(r.data.size, v.view);
        const rows = [...x.commands].sort(([, a], [, b]) => b.usec - a.usec).slice(0, 8);
        out(`- ${int(r.data.size)}, ${v.view}: ${rows.map(([name, c]) => `${name} ${fmt(c.usec / x.requests, 0)} (${fmt(c.calls / x.requests, c.calls % x.requests === 0 ? 0 : 1)})`).join(', ')}`);
      }
    }
    out();
    out(
      `${options.requests} requests per size and view (after ${options.warmup} warm-up) in ${options.rounds} blocks interleaved between the sizes, ` +
        `in-process \`app.request\`, snapshot cache off (\`JOBSCOPE_SNAPSHOT_TTL_MS=0\`), inspect off (no worker), one empty BullMQ queue beside (its script is in the Redis time). ` +
        `Results: 1 in ${FAIL_EVERY} FAILURE, finished over 7 days, SETEX 1 day, values from a ${ref.source}; one database per size on one private redis-server ` +
        `(${memory} used with all sizes). ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, Redis ${redisVersion}, ` +
        `service at commit ${serviceCommit()}, load average ${fmt(load, 1)} → ${fmt(os.loadavg()[0], 1)}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`
    );
    log('');
    for (const l of lines) log(l);
    if (requestScans !== 0) {
      process.exitCode = 1;
      log(`\nSCAN/KEYS on the request path: ${[...phase].filter(([n]) => n === 'scan' || n === 'keys').map(([n, c]) => `${n} ${c.calls}`).join(', ')}`);
    }
  } finally {
    await stopAll();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
