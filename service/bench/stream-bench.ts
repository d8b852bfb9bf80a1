/**
 * `npx tsx service/bench/stream-bench.ts` (or `npm run bench:stream -w service`): the live stream
 * `GET /api/settings/jobs/stream` under 1,000 subscribers, against 1,000 viewers polling the status route, on a
 * private redis-server with the real service (`src/main.ts`) spawned in its own process and real BullMQ Workers
 * completing one job every 200 ms. Then the idle cost of a producer tick (the change-marker pipeline) against a full
 * snapshot read, at 20 and 200 queues. Figures, not a pass/fail test; see README.md "Live stream benchmark".
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { planHistory, writeHistory } from './dataset';
import { addLiveJobs } from './live-jobs';
import { latencyStats, type LatencyStats } from './measure';
import { BENCH_JOB_OPTS, BENCH_WORKER_NAME, makeReferenceJobs } from './reference-jobs';
import { RespWriter } from './resp-writer';
import { spawnService, type SpawnedService } from './service-under-test';
import { type CommandStats, commandStats, statsDelta } from './commandstats';

// ---------------------------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  subscribers: number;
  views: number;
  seconds: number;
  pollMs: number;
  completeEveryMs: number;
  queues: number;
  idleQueues: number[];
  idleSeconds: number;
  snapshotRequests: number;
  /** Snapshot TTL of the diagnostic one-view run (0: skip it). */
  ttlCheckMs: number;
}

const USAGE = `usage: npx tsx service/bench/stream-bench.ts [options]
  --quick               smoke run: 100 subscribers, 5 s windows, idle at 20 queues only
  --subscribers N       stream subscribers / polling viewers (1000)      env BENCH_SUBSCRIBERS
  --views N             views of the spread scenario (10, ?queue=<q>)    env BENCH_VIEWS
  --seconds N           measured window per scenario (20)                env BENCH_SECONDS
  --poll-ms N           polling viewers' period (2000)                   env BENCH_POLL_MS
  --complete-every-ms N one job completes every N ms (200)               env BENCH_COMPLETE_EVERY_MS
  --idle-seconds N      idle window per queue count (20)                 env BENCH_IDLE_SECONDS
  --ttl-check-ms N      snapshot TTL of an extra one-view stream run (500; 0 = skip)   env BENCH_TTL_CHECK_MS`;

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick' || a === '--help') {
      flags.set(a.slice(2), true);
    } else if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), argv[++i]];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      flags.set(k, v);
    } else {
      throw new Error(`unexpected argument "${a}"\n${USAGE}`);
    }
  }
  if (flags.has('help')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const known = new Set(['quick', 'subscribers', 'views', 'seconds', 'poll-ms', 'complete-every-ms', 'idle-seconds', 'ttl-check-ms']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const quick = flags.get('quick') === true || env.BENCH_QUICK === '1';
  const num = (flag: string, envName: string, full: number, small: number, min = 1): number => {
    const raw = flags.get(flag) ?? env[envName];
    if (raw === undefined || raw === '' || raw === true) return quick ? small : full;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer >= ${min}, got "${String(raw)}"`);
    return n;
  };
  const views = num('views', 'BENCH_VIEWS', 10, 10);
  return {
    quick,
    subscribers: num('subscribers', 'BENCH_SUBSCRIBERS', 1000, 100),
    views,
    seconds: num('seconds', 'BENCH_SECONDS', 20, 5),
    pollMs: num('poll-ms', 'BENCH_POLL_MS', 2000, 2000, 100),
    completeEveryMs: num('complete-every-ms', 'BENCH_COMPLETE_EVERY_MS', 200, 200, 10),
    idleSeconds: num('idle-seconds', 'BENCH_IDLE_SECONDS', 20, 5),
    // The worker queues are the first `views` queues; the spread scenario watches one each.
    queues: Math.max(20, views),
    idleQueues: quick ? [20] : [20, 200],
    snapshotRequests: quick ? 50 : 200,
    ttlCheckMs: num('ttl-check-ms', 'BENCH_TTL_CHECK_MS', 500, 500, 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring: Redis commandstats and CPU, the service's /proc

const log = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();


const cmd = (d: CommandStats, name: string) => d.get(name) ?? { calls: 0, usec: 0 };

async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** utime + stime (s) and VmRSS (MB) of a process, from /proc. */
function procSample(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { cpuSeconds, rssMb: rssKb / 1024 };
}

interface Window {
  seconds: number;
  stats: CommandStats;
  redisCpuPct: number;
  serviceCpuPct: number;
  benchCpuPct: number;
  rssMeanMb: number;
  rssMaxMb: number;
}

/** Runs `ms` of whatever is going on and reports the Redis and service counters of that time only. */
async function measureWindow(admin: Redis, pid: number, ms: number): Promise<Window> {
  const rss: number[] = [];
  const stats0 = await commandStats(admin);
  const redis0 = await redisCpuSeconds(admin);
  const proc0 = procSample(pid);
  const bench0 = process.cpuUsage();
  const t0 = performance.now();
  const sampler = setInterval(() => rss.push(procSample(pid).rssMb), 500);
  await sleep(ms);
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const proc1 = procSample(pid);
  const bench1 = process.cpuUsage(bench0);
  const redis1 = await redisCpuSeconds(admin);
  const stats1 = await commandStats(admin);
  rss.push(proc1.rssMb);
  return {
    seconds,
    stats: statsDelta(stats0, stats1),
    redisCpuPct: ((redis1 - redis0) / seconds) * 100,
    serviceCpuPct: ((proc1.cpuSeconds - proc0.cpuSeconds) / seconds) * 100,
    benchCpuPct: ((bench1.user + bench1.system) / 1e6 / seconds) * 100,
    rssMeanMb: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMaxMb: Math.max(...rss),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Changes at a steady rate: real Workers, one job released every `everyMs`

/**
 * One real BullMQ Worker (concurrency 1) per worker queue; each processor waits for a slot, and a timer hands out one
 * slot every `everyMs` to the longest waiter, so exactly one job completes per period, round-robin over the queues.
 * `completedAt[q][n]` is when the worker's `completed` event reported that queue q's completed count reached n.
 */
class PacedWorkers {
  readonly completedAt: Array<Map<number, number>>;
  private readonly counts: number[];
  private readonly waiters: Array<() => void> = [];
  private readonly workers: Worker[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    connection: Redis,
    prefix: string,
    readonly queues: string[],
    baseCounts: number[],
    private readonly everyMs: number
  ) {
    this.counts = [...baseCounts];
    this.completedAt = queues.map(() => new Map());
    queues.forEach((name, q) => {
      const worker = new Worker(name, () => new Promise<string>((resolve) => this.waiters.push(() => resolve('ok'))), {
        connection,
        prefix,
        name: BENCH_WORKER_NAME,
        concurrency: 1,
      });
      worker.on('error', () => undefined);
      worker.on('completed', () => {
        const n = ++this.counts[q];
        this.completedAt[q].set(n, performance.now());
      });
      this.workers.push(worker);
    });
  }

  start(): void {
    this.timer ??= setInterval(() => this.waiters.shift()?.(), this.everyMs);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.workers.map((w) => w.close(true)));
  }

  /** Completions whose event time lies in [from, to]. */
  completionsIn(from: number, to: number): Array<{ q: number; n: number; at: number }> {
    const out: Array<{ q: number; n: number; at: number }> = [];
    this.completedAt.forEach((m, q) => {
      for (const [n, at] of m) if (at >= from && at <= to) out.push({ q, n, at });
    });
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Clients: what each of them has seen of the worker queues' completed counts

type Counts = Map<string, number>;

/** Completed counts of the queues in a status payload; one parse per distinct snapshot (by key), not per client. */
class CountsCache {
  private readonly cache = new Map<string, Counts>();

  get(key: string, json: string): Counts {
    let counts = this.cache.get(key);
    if (!counts) {
      const body = JSON.parse(json) as { queues: Array<{ name: string; counts: { SUCCESS: number } }> };
      counts = new Map(body.queues.map((q) => [q.name, q.counts.SUCCESS]));
      this.cache.set(key, counts);
      if (this.cache.size > 200) this.cache.delete(this.cache.keys().next().value!);
    }
    return counts;
  }
}

/** Receipt log of one scenario: client c first saw queue q's completed count at >= n at time t. */
class Receipts {
  readonly client: number[] = [];
  readonly q: number[] = [];
  readonly n: number[] = [];
  readonly t: number[] = [];
  snapshots = 0;
  bytes = 0;
  errors: string[] = [];
}

class Viewer {
  /** Last completed count seen per watched worker queue (-1: no snapshot yet). */
  private readonly seen: number[];
  ready = false;

  constructor(
    private readonly id: number,
    private readonly watched: Array<{ name: string; q: number }>,
    private readonly receipts: Receipts
  ) {
    this.seen = watched.map(() => -1);
  }

  onSnapshot(counts: Counts, at: number, bytes: number): void {
    this.receipts.snapshots++;
    this.receipts.bytes += bytes;
    this.watched.forEach(({ name, q }, i) => {
      const c = counts.get(name);
      if (c === undefined) return;
      if (this.seen[i] >= 0) {
        for (let n = this.seen[i] + 1; n <= c; n++) {
          this.receipts.client.push(this.id);
          this.receipts.q.push(q);
          this.receipts.n.push(n);
          this.receipts.t.push(at);
        }
      }
      this.seen[i] = Math.max(this.seen[i], c);
    });
    this.ready = true;
  }
}

/** One SSE subscriber: a kept-open GET, events parsed as the bytes arrive. */
function openStream(url: string, agent: http.Agent, viewer: Viewer, cache: CountsCache, receipts: Receipts): http.ClientRequest {
  const req = http.get(url, { agent, headers: { Accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => receipts.errors.push(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let id = '';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
          if (field === 'event') event = value;
          else if (field === 'id') id = value;
          else if (field === 'data') data = data ? `${data}\n${value}` : value;
        }
        if (event === 'snapshot' && data) {
          viewer.onSnapshot(cache.get(`sse:${id}`, data), performance.now(), data.length);
        } else if (event === 'stale') {
          receipts.errors.push(`stale: ${data.slice(0, 200)}`);
        }
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', (err) => {
    if (!closing.has(agent)) receipts.errors.push(`stream: ${err.message}`);
  });
  return req;
}
const closing = new WeakSet<http.Agent>();

interface ScenarioResult {
  name: string;
  clients: number;
  views: number;
  window: Window;
  /** Snapshot reads per second: CLIENT LIST calls (one per read) and evalsha minus the 0-subscriber baseline. */
  readsPerSecond: number;
  evalshaReadsPerSecond: number;
  markerTicksPerSecond: number;
  delivery: LatencyStats;
  undelivered: number;
  expectedDeliveries: number;
  snapshotsPerSecond: number;
  mbPerSecond: number;
  requestLatency: LatencyStats | null;
  connectMs: number;
  errors: string[];
}

function deliveryStats(
  receipts: Receipts,
  workers: PacedWorkers,
  clients: number,
  watchedOf: (client: number) => number[],
  from: number,
  to: number
): { delivery: LatencyStats; undelivered: number; expected: number } {
  const first = new Map<string, number>();
  for (let i = 0; i < receipts.t.length; i++) {
    const key = `${receipts.client[i]}:${receipts.q[i]}:${receipts.n[i]}`;
    if (!first.has(key)) first.set(key, receipts.t[i]);
  }
  const samples: number[] = [];
  let undelivered = 0;
  let expected = 0;
  const completions = workers.completionsIn(from, to);
  for (let c = 0; c < clients; c++) {
    const watched = new Set(watchedOf(c));
    for (const { q, n, at } of completions) {
      if (!watched.has(q)) continue;
      expected++;
      const t = first.get(`${c}:${q}:${n}`);
      if (t === undefined) undelivered++;
      else samples.push(t - at);
    }
  }
  return { delivery: latencyStats(samples), undelivered, expected };
}

interface ScenarioContext {
  admin: Redis;
  service: SpawnedService;
  workers: PacedWorkers;
  workerQueues: string[];
  allQueues: string[];
  opts: Options;
  baselineEvalshaPerSecond: number;
}

async function streamScenario(ctx: ScenarioContext, name: string, views: number): Promise<ScenarioResult> {
  const { opts, workerQueues } = ctx;
  const receipts = new Receipts();
  const cache = new CountsCache();
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const viewQueue = (c: number) => (views === 1 ? null : c % views);
  const watchedOf = (c: number) => (viewQueue(c) === null ? workerQueues.map((_, q) => q) : [viewQueue(c)!]);
  const viewers: Viewer[] = [];
  const requests: http.ClientRequest[] = [];
  const connectStart = performance.now();
  for (let c = 0; c < opts.subscribers; c++) {
    const vq = viewQueue(c);
    const viewer = new Viewer(c, watchedOf(c).map((q) => ({ name: workerQueues[q], q })), receipts);
    viewers.push(viewer);
    const url = `${ctx.service.url}/api/settings/jobs/stream${vq === null ? '' : `?queue=${workerQueues[vq]}`}`;
    requests.push(openStream(url, agent, viewer, cache, receipts));
    if (c % 50 === 49) await sleep(20);
  }
  const deadline = Date.now() + 60_000;
  while (viewers.some((v) => !v.ready) && Date.now() < deadline && receipts.errors.length < opts.subscribers) await sleep(50);
  const connectMs = performance.now() - connectStart;
  const ready = viewers.filter((v) => v.ready).length;
  log(`  ${name}: ${ready}/${opts.subscribers} subscribers have their first snapshot after ${(connectMs / 1000).toFixed(1)} s`);
  await sleep(2000);
  const from = performance.now();
  const snapshots0 = receipts.snapshots;
  const bytes0 = receipts.bytes;
  const window = await measureWindow(ctx.admin, ctx.service.pid, opts.seconds * 1000);
  const to = performance.now();
  const snapshots = receipts.snapshots - snapshots0;
  const bytes = receipts.bytes - bytes0;
  // Let completions near the end of the window arrive (an interval, a read and the fan-out).
  await sleep(3000);
  closing.add(agent);
  for (const r of requests) r.destroy();
  agent.destroy();
  const { delivery, undelivered, expected } = deliveryStats(receipts, ctx.workers, ready, watchedOf, from, to);
  await sleep(1500);
  return {
    name,
    clients: ready,
    views,
    window,
    ...reads(ctx, window),
    delivery,
    undelivered,
    expectedDeliveries: expected,
    snapshotsPerSecond: snapshots / window.seconds,
    mbPerSecond: bytes / window.seconds / 1e6,
    requestLatency: null,
    connectMs,
    errors: [...new Set(receipts.errors)].slice(0, 5),
  };
}

function reads(ctx: ScenarioContext, w: Window): { readsPerSecond: number; evalshaReadsPerSecond: number; markerTicksPerSecond: number } {
  return {
    readsPerSecond: cmd(w.stats, 'client|list').calls / w.seconds,
    evalshaReadsPerSecond: cmd(w.stats, 'evalsha').calls / w.seconds - ctx.baselineEvalshaPerSecond,
    markerTicksPerSecond: cmd(w.stats, 'xrevrange').calls / w.seconds,
  };
}

async function pollScenario(ctx: ScenarioContext, name: string): Promise<ScenarioResult> {
  const { opts, workerQueues } = ctx;
  const receipts = new Receipts();
  const cache = new CountsCache();
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const url = `${ctx.service.url}/api/settings/jobs/status`;
  const watched = workerQueues.map((n, q) => ({ name: n, q }));
  const viewers = Array.from({ length: opts.subscribers }, (_, c) => new Viewer(c, watched, receipts));
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  let inflight = 0;
  let skipped = 0;
  const poll = (c: number) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      inflight++;
      const req = http.get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (b: Buffer) => chunks.push(b));
        res.on('end', () => {
          inflight--;
          const at = performance.now();
          if (measuring) latencies.push(at - started);
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) {
            const key = /"generatedAtMs":(\d+(?:\.\d+)?)/.exec(body)?.[1] ?? String(at);
            viewers[c].onSnapshot(cache.get(`poll:${key}`, body), at, body.length);
          } else {
            receipts.errors.push(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
          }
          resolve();
        });
        res.on('error', () => resolve());
      });
      req.on('error', (err) => {
        inflight--;
        receipts.errors.push(`poll: ${err.message}`);
        resolve();
      });
    });
  // Each viewer polls every pollMs at its own phase; a poll still running when the next is due skips that one.
  const loops = viewers.map(async (_, c) => {
    await sleep(Math.random() * opts.pollMs);
    let next = performance.now();
    let busy = false;
    while (!stop) {
      if (!busy) {
        busy = true;
        void poll(c).finally(() => (busy = false));
      } else {
        skipped++;
      }
      next += opts.pollMs;
      await sleep(Math.max(0, next - performance.now()));
    }
  });
  const connectStart = performance.now();
  const deadline = Date.now() + 60_000;
  while (viewers.some((v) => !v.ready) && Date.now() < deadline) await sleep(50);
  const connectMs = performance.now() - connectStart;
  const ready = viewers.filter((v) => v.ready).length;
  log(`  ${name}: ${ready}/${opts.subscribers} viewers have polled once after ${(connectMs / 1000).toFixed(1)} s`);
  await sleep(2000);
  measuring = true;
  const from = performance.now();
  const snapshots0 = receipts.snapshots;
  const bytes0 = receipts.bytes;
  const window = await measureWindow(ctx.admin, ctx.service.pid, opts.seconds * 1000);
  const to = performance.now();
  measuring = false;
  const snapshots = receipts.snapshots - snapshots0;
  const bytes = receipts.bytes - bytes0;
  // Every completion of the window needs a full period (plus the cache TTL) to show in every viewer's poll.
  await sleep(opts.pollMs + 2000);
  stop = true;
  await Promise.all(loops);
  const drainUntil = Date.now() + 10_000;
  while (inflight > 0 && Date.now() < drainUntil) await sleep(20);
  agent.destroy();
  const { delivery, undelivered, expected } = deliveryStats(receipts, ctx.workers, ready, () => watched.map((w) => w.q), from, to);
  if (skipped > 0) receipts.errors.push(`${skipped} polls skipped (previous one still running)`);
  await sleep(1500);
  return {
    name,
    clients: ready,
    views: 1,
    window,
    ...reads(ctx, window),
    delivery,
    undelivered,
    expectedDeliveries: expected,
    snapshotsPerSecond: snapshots / window.seconds,
    mbPerSecond: bytes / window.seconds / 1e6,
    requestLatency: latencyStats(latencies),
    connectMs,
    errors: [...new Set(receipts.errors)].slice(0, 5),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Idle cost: one producer tick (change markers) vs one full snapshot read

interface IdleResult {
  queues: number;
  seconds: number;
  ticks: number;
  tickUs: number;
  snapshotReads: number;
  snapshotUs: number;
  snapshotScriptCalls: number;
  snapshotBreakdown: string;
  ratio: number;
}

/** Commands the service sends itself for a snapshot (the others in commandstats run inside its scripts). */
const TOP_LEVEL = ['evalsha', 'evalsha_ro', 'eval', 'client|list', 'ping'];

async function idleCost(admin: Redis, redisUrl: string, prefix: string, queues: string[], opts: Options): Promise<IdleResult> {
  // TTL 0: every status request below is a full read; the stream interval is the service's default.
  const service = await spawnService(redisUrl, prefix, queues, 20_000, { JOBSCOPE_STREAM_INTERVAL_MS: '' });
  try {
    const receipts = new Receipts();
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    const viewer = new Viewer(0, [], receipts);
    const req = openStream(`${service.url}/api/settings/jobs/stream`, agent, viewer, new CountsCache(), receipts);
    const deadline = Date.now() + 20_000;
    while (!viewer.ready && Date.now() < deadline) await sleep(20);
    if (!viewer.ready) throw new Error(`idle stream at ${queues.length} queues got no snapshot: ${receipts.errors.join('; ')}`);
    await sleep(1500);
    const w = await measureWindow(admin, service.pid, opts.idleSeconds * 1000);
    closing.add(agent);
    req.destroy();
    agent.destroy();
    await sleep(1500);
    const x = cmd(w.stats, 'xrevrange');
    const ticks = x.calls / queues.length;

    // Full snapshot reads of the same view, sequential, keep-alive.
    const client = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get(`${service.url}/api/settings/jobs/status`, { agent: client }, (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status HTTP ${res.statusCode}`))));
          })
          .on('error', reject);
      });
    for (let i = 0; i < 20; i++) await get();
    const before = await commandStats(admin);
    for (let i = 0; i < opts.snapshotRequests; i++) await get();
    const d = statsDelta(before, await commandStats(admin));
    client.destroy();
    const n = opts.snapshotRequests;
    const snapshotUs = TOP_LEVEL.reduce((s, name) => s + cmd(d, name).usec, 0) / n;
    const breakdown = TOP_LEVEL.filter((name) => cmd(d, name).calls > 0)
      .map((name) => `${name} ${(cmd(d, name).usec / n).toFixed(0)} µs (${(cmd(d, name).calls / n).toFixed(1)})`)
      .join(', ');
    return {
      queues: queues.length,
      seconds: w.seconds,
      ticks,
      tickUs: x.usec / Math.max(1, ticks),
      snapshotReads: n,
      snapshotUs,
      snapshotScriptCalls: (cmd(d, 'evalsha').calls + cmd(d, 'evalsha_ro').calls + cmd(d, 'eval').calls) / n,
      snapshotBreakdown: breakdown,
      ratio: snapshotUs / (x.usec / Math.max(1, ticks)),
    };
  } finally {
    await service.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Data

interface Dataset {
  prefix: string;
  queues: string[];
}

/** Per queue: `completed` finished jobs (generator, checked layout of real jobs) plus real Queue.add live jobs. */
async function buildDataset(
  connection: Redis,
  writer: RespWriter,
  prefix: string,
  queueCount: number,
  completed: number,
  live: { waiting: number; prioritized: number; delayed: number }
): Promise<Dataset> {
  const refs = await makeReferenceJobs(connection, prefix);
  const plan = planHistory(prefix, queueCount, completed, completed);
  // planHistory names queues bench-q00..; keep them.
  await writeHistory(writer, plan, { completed: refs.completed.record.opts, failed: refs.failed.record.opts }, 1, plan.totalIds);
  await addLiveJobs(connection, prefix, plan.queues, { ...live, workerQueues: 0, concurrency: 1 });
  return { prefix, queues: plan.queues };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');

function markdown(results: { scenarios: ScenarioResult[]; idle: IdleResult[]; baseline: Window; env: string; opts: Options }): string {
  const { scenarios, idle, baseline } = results;
  const lines: string[] = [];
  lines.push(
    `Written by \`npx tsx service/bench/stream-bench.ts\` (README.md "Live stream benchmark"). ` +
      `Ratios are what to compare: absolute times drift 2–3× between days on the shared machine.`,
    '',
    '| Scenario | Clients (views) | Snapshot reads / s | Delivery p50 / p99 | Service CPU | Service RSS mean / max | Redis CPU | Events or replies / s (MB/s) | Bench client CPU |',
    '|---|---|---|---|---|---|---|---|---|'
  );
  lines.push(
    `| no subscribers (baseline) | 0 | ${f(cmd(baseline.stats, 'client|list').calls / baseline.seconds, 2)} | – | ${f(baseline.serviceCpuPct)} % | ` +
      `${f(baseline.rssMeanMb, 0)} / ${f(baseline.rssMaxMb, 0)} MB | ${f(baseline.redisCpuPct)} % | – | ${f(baseline.benchCpuPct)} % |`
  );
  for (const s of scenarios) {
    lines.push(
      `| ${s.name} | ${s.clients.toLocaleString('en-US')} (${s.views}) | ${f(s.readsPerSecond, 2)} (evalsha − baseline: ${f(s.evalshaReadsPerSecond, 2)}) | ` +
        `${f(s.delivery.p50, 0)} / ${f(s.delivery.p99, 0)} ms | ${f(s.window.serviceCpuPct)} % | ${f(s.window.rssMeanMb, 0)} / ${f(s.window.rssMaxMb, 0)} MB | ` +
        `${f(s.window.redisCpuPct)} % | ${f(s.snapshotsPerSecond, 0)} (${f(s.mbPerSecond, 1)}) | ${f(s.window.benchCpuPct)} % |`
    );
  }
  const one = scenarios.find((s) => s.views === 1 && s.requestLatency === null);
  const ten = scenarios.find((s) => s.views > 1);
  const poll = scenarios.find((s) => s.requestLatency !== null);
  lines.push('', '| Ratio (same run) | Value |', '|---|---|');
  const ratio = (label: string, a: number | undefined, b: number | undefined, d = 2) => {
    if (a !== undefined && b !== undefined) lines.push(`| ${label} | ${f(a / b, d)} |`);
  };
  ratio('polling / stream (1 view): snapshot reads per second', poll?.readsPerSecond, one?.readsPerSecond);
  ratio('polling / stream (1 view): service CPU', poll?.window.serviceCpuPct, one?.window.serviceCpuPct);
  ratio('polling / stream (1 view): delivery p50', poll?.delivery.p50, one?.delivery.p50);
  ratio('polling / stream (1 view): delivery p99', poll?.delivery.p99, one?.delivery.p99);
  ratio('polling / stream (1 view): bytes sent per second', poll?.mbPerSecond, one?.mbPerSecond);
  ratio(`stream ${ten?.views ?? ''} views / 1 view: snapshot reads per second`, ten?.readsPerSecond, one?.readsPerSecond);
  ratio(`stream ${ten?.views ?? ''} views / 1 view: service CPU`, ten?.window.serviceCpuPct, one?.window.serviceCpuPct);
  ratio(`stream ${ten?.views ?? ''} views / 1 view: delivery p50`, ten?.delivery.p50, one?.delivery.p50);
  ratio('stream (1 view) / no subscribers: service RSS (mean)', one?.window.rssMeanMb, baseline.rssMeanMb);
  const diag = scenarios.find((s) => s.name.includes('diagnostic'));
  ratio('stream 1 view, default TTL / short TTL (diagnostic): delivery p50', one?.delivery.p50, diag?.delivery.p50);
  ratio('stream 1 view, default TTL / short TTL (diagnostic): snapshot reads per second', one?.readsPerSecond, diag?.readsPerSecond);
  if (idle.length > 0) {
    lines.push(
      '',
      'Idle read cost (nothing changing; one subscriber on the default view, the service\'s stream interval; snapshot = `GET /status` with TTL 0, same view):',
      '',
      '| Queues | Producer ticks | Redis time / tick (XREVRANGE pipeline) | Redis time / full snapshot read | Scripts per read | Snapshot / tick |',
      '|---|---|---|---|---|---|'
    );
    for (const r of idle) {
      lines.push(`| ${r.queues} | ${f(r.ticks, 0)} in ${f(r.seconds, 0)} s | ${f(r.tickUs, 0)} µs | ${f(r.snapshotUs, 0)} µs | ${f(r.snapshotScriptCalls, 1)} | ${f(r.ratio, 1)}× |`);
    }
    if (idle.length > 1) {
      const [a, b] = [idle[0], idle[idle.length - 1]];
      lines.push(
        '',
        `${b.queues} / ${a.queues} queues: tick ${f(b.tickUs / a.tickUs, 1)}×, full read ${f(b.snapshotUs / a.snapshotUs, 1)}×. ` +
          `Snapshot breakdown per read: ${idle.map((r) => `${r.queues} queues: ${r.snapshotBreakdown}`).join('; ')}.`
      );
    }
  }
  lines.push('', results.env);
  const notes = scenarios.flatMap((s) => [
    ...(s.undelivered > 0 ? [`${s.name}: ${s.undelivered} of ${s.expectedDeliveries} (client, completion) pairs not delivered before the end`] : []),
    ...s.errors.map((e) => `${s.name}: ${e}`),
  ]);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

function writeResultsSection(md: string): void {
  const file = path.join(__dirname, 'RESULTS.md');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const section = `## Live stream\n\n${md}\n`;
  const start = existing.indexOf('\n## Live stream\n');
  let next: string;
  if (start < 0) {
    next = `${existing.replace(/\s*$/, '')}\n\n${section}`;
  } else {
    const after = existing.indexOf('\n## ', start + 1);
    next = existing.slice(0, start + 1) + section + (after < 0 ? '' : `\n${existing.slice(after + 1)}`);
  }
  fs.writeFileSync(file, next);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    cleanups.length = 0;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up...\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const started = performance.now();
  const loadAtStart = os.loadavg()[0];
  try {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.destroy());
    const connection = new Redis(server.url, { maxRetriesPerRequest: null });
    const admin = new Redis(server.url);
    const writer = new RespWriter(server.url);
    await writer.connect();
    cleanups.push(async () => {
      writer.close();
      admin.disconnect();
      connection.disconnect();
    });
    const redisVersion = /redis_version:([^\r\n]+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';
    log(`jobscope stream bench${opts.quick ? ' (quick)' : ''}: private redis-server ${server.url}; ${opts.subscribers} clients, ${opts.seconds} s windows`);

    // 20 queues: 1,000 completed + 10 failed each, 50 waiting, 10 prioritized, 20 delayed (real Queue.add); the
    // first `views` queues get paced Workers and 400 more jobs each to work through.
    const ds20 = await buildDataset(connection, writer, 'sb', opts.queues, 1000, { waiting: 50, prioritized: 10, delayed: 20 });
    const workerQueues = ds20.queues.slice(0, opts.views);
    for (const name of workerQueues) {
      const q = new Queue(name, { connection, prefix: ds20.prefix });
      await q.addBulk(Array.from({ length: 400 }, (_, i) => ({ name: 'send-email', data: { to: `paced${i}@example.com` }, opts: BENCH_JOB_OPTS })));
      await q.close();
    }
    const base = await Promise.all(workerQueues.map((n) => connection.zcard(`${ds20.prefix}:${n}:completed`)));
    const workers = new PacedWorkers(connection, ds20.prefix, workerQueues, base, opts.completeEveryMs);
    cleanups.push(() => workers.close());
    workers.start();
    log(`dataset ${ds20.prefix}: ${ds20.queues.length} queues; Workers on ${workerQueues.length}, one job completes every ${opts.completeEveryMs} ms`);

    // The service with its defaults (snapshot TTL, stream interval, stream cap), the queue list explicit.
    const service = await spawnService(server.url, ds20.prefix, ds20.queues, 20_000, {
      JOBSCOPE_SNAPSHOT_TTL_MS: '',
      JOBSCOPE_STREAM_INTERVAL_MS: '',
      JOBSCOPE_MAX_STREAMS: '',
    });
    cleanups.push(() => service.close());
    log(`service (src/main.ts) pid ${service.pid} on ${service.url}`);
    await sleep(3000);

    log('baseline: no subscribers, workers running');
    const baseline = await measureWindow(admin, service.pid, opts.seconds * 1000);
    const ctx: ScenarioContext = {
      admin,
      service,
      workers,
      workerQueues,
      allQueues: ds20.queues,
      opts,
      baselineEvalshaPerSecond: cmd(baseline.stats, 'evalsha').calls / baseline.seconds,
    };
    const scenarios: ScenarioResult[] = [];
    scenarios.push(await streamScenario(ctx, 'stream, one view (all queues)', 1));
    scenarios.push(await streamScenario(ctx, `stream, ${opts.views} views (?queue=…)`, opts.views));
    scenarios.push(await pollScenario(ctx, `polling /status every ${opts.pollMs / 1000} s`));
    const logScenario = (s: ScenarioResult) =>
      log(
        `  ${s.name}: reads ${f(s.readsPerSecond, 2)}/s (evalsha-baseline ${f(s.evalshaReadsPerSecond, 2)}), delivery p50 ${f(s.delivery.p50, 0)} ` +
          `p99 ${f(s.delivery.p99, 0)} max ${f(s.delivery.max, 0)} ms (n ${s.delivery.n}, undelivered ${s.undelivered}), service CPU ${f(s.window.serviceCpuPct)} %, ` +
          `RSS ${f(s.window.rssMeanMb, 0)}/${f(s.window.rssMaxMb, 0)} MB` +
          (s.requestLatency ? `, request p50 ${f(s.requestLatency.p50, 1)} p99 ${f(s.requestLatency.p99, 1)} ms` : '') +
          (s.errors.length ? `; ${s.errors.join('; ')}` : '') +
          `; XREVRANGE ${f(s.markerTicksPerSecond, 1)} calls/s, bench client CPU ${f(s.window.benchCpuPct)} %`
      );
    scenarios.forEach(logScenario);
    await service.close();

    // Diagnostic: the same one-view stream with a snapshot TTL below the stream interval (both default 1000 ms), to
    // show how much of the one-view delivery time is the producer getting the status route's cached snapshot.
    if (opts.ttlCheckMs > 0) {
      const short = await spawnService(server.url, ds20.prefix, ds20.queues, 20_000, {
        JOBSCOPE_SNAPSHOT_TTL_MS: String(opts.ttlCheckMs),
        JOBSCOPE_STREAM_INTERVAL_MS: '',
        JOBSCOPE_MAX_STREAMS: '',
      });
      cleanups.push(() => short.close());
      await sleep(2000);
      const r = await streamScenario({ ...ctx, service: short }, `stream, one view, snapshot TTL ${opts.ttlCheckMs} ms (diagnostic)`, 1);
      scenarios.push(r);
      logScenario(r);
      await short.close();
    }
    await workers.close();

    // Idle: nothing changes (workers closed), one subscriber, at 20 and 200 queues.
    const idle: IdleResult[] = [];
    for (const count of opts.idleQueues) {
      const ds = count === ds20.queues.length ? ds20 : await buildDataset(connection, writer, `sb${count}`, count, 100, { waiting: 10, prioritized: 2, delayed: 2 });
      const r = await idleCost(admin, server.url, ds.prefix, ds.queues, opts);
      log(`  idle ${count} queues: ${f(r.ticks, 0)} ticks, ${f(r.tickUs, 0)} µs/tick; full snapshot ${f(r.snapshotUs, 0)} µs (${r.snapshotBreakdown}); ratio ${f(r.ratio, 1)}`);
      idle.push(r);
    }

    const env =
      `${opts.queues} queues (1,000 completed + 10 failed, 50 waiting, 10 prioritized, 20 delayed each; ${workerQueues.length} with a paced Worker), ` +
      `one job completing every ${opts.completeEveryMs} ms; ${opts.seconds} s measured per scenario after connecting. Service: \`src/main.ts\` spawned ` +
      `with its defaults (snapshot TTL, stream interval, stream cap). Reads per second = CLIENT LIST calls (one per snapshot read), ` +
      `cross-checked with evalsha calls minus the 0-subscriber baseline (${f(ctx.baselineEvalshaPerSecond, 2)}/s of the Workers' own scripts). ` +
      `Delivery = worker's \`completed\` event → client has a snapshot whose queue count includes it (all clients × all completions in the window). ` +
      `CPU in % of one core (/proc/<pid>/stat; Redis: INFO cpu). ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}, ` +
      `Redis ${redisVersion} (private), load average ${f(loadAtStart)} → ${f(os.loadavg()[0])}, ${new Date().toISOString().slice(0, 10)}.`;
    const md = markdown({ scenarios, idle, baseline, env, opts });
    log(`\n${md}\n`);
    if (!opts.quick) {
      writeResultsSection(md);
      log('wrote bench/RESULTS.md section "Live stream"');
    }
    log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } catch (err) {
    process.stderr.write(`\nstream bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
  process.exit(process.exitCode ?? 0);
}

void main();
