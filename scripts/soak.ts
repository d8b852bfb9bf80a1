/**
 * `npm run soak` (issue 15, "Longer runs"; not part of `npm test`). The real service (`service/src/main.ts`) runs in
 * its own process against a private redis-server seeded with real BullMQ jobs; the load comes from other processes.
 *
 * 1. Load: autocannon (a separate process, closed loop = the highest rate it sustains) on the status route for
 *    SOAK_SECONDS, uncached (JOBSCOPE_SNAPSHOT_TTL_MS=0) and cached (the default TTL): req/s, p50/p99, errors
 *    (non-2xx + socket errors), Redis commands per request (INFO total_commands_processed), service RSS before/after.
 * 2. Growth: SOAK_REQUESTS (100,000) more uncached requests in two halves; service RSS before, between, after.
 * 3. Bad inputs: SOAK_BAD_INPUTS generated requests (bad methods, paths, query values, bodies, tokens) on every
 *    route: no 5xx but the probes' 503s; then the keyspace hash under the prefix is compared with the one taken
 *    after seeding, before any service ran (nothing the service did changed a key).
 * 4. Faults: SOAK_VIEWERS (1,000) keep-alive viewers polling the status route every 2 s (from this process) through
 *    SOAK_CYCLES (20) kill -9 / restart cycles of Redis: crashes, 5xx, socket errors, slowest answer, stale marking.
 * Then one table (markdown, as in the README). Exit 1 when the service crashed, answered a 5xx (but a probe's 503),
 * or a key changed.
 *
 * Smaller runs: SOAK_SECONDS=2 SOAK_REQUESTS=2000 SOAK_CYCLES=2 SOAK_VIEWERS=50 SOAK_BAD_INPUTS=200 npm run soak
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { API_PATHS, jobPath } from '../contract/src/routes';
import { freePort, PrivateRedis } from './lib/private-redis';
import { seededRandom } from './lib/seeded-random';

const ROOT = path.resolve(__dirname, '..');
const AUTOCANNON = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');

function intEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer ≥ ${min} (got ${raw})`);
  }
  return value;
}

const OPTS = {
  seconds: intEnv('SOAK_SECONDS', 60, 1),
  connections: intEnv('SOAK_CONNECTIONS', 50, 1),
  requests: intEnv('SOAK_REQUESTS', 100_000, 2),
  badInputs: intEnv('SOAK_BAD_INPUTS', 3000),
  viewers: intEnv('SOAK_VIEWERS', 1000, 1),
  cycles: intEnv('SOAK_CYCLES', 20, 1),
  /** Redis stays down this long per cycle, and up at least this long after the first fresh answer. */
  downMs: intEnv('SOAK_DOWN_MS', 2000, 100),
  upMs: intEnv('SOAK_UP_MS', 4000, 100),
  jobs: intEnv('SOAK_JOBS', 200, 10),
};
const PREFIX = 'soak';
const QUEUES = ['orders', 'emails', 'reports'];
const TOKEN = 'soak-token-0123456789';
const STATUS = API_PATHS.status;
const POLL_MS = 2000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const signed = (bytes: number) => `${bytes >= 0 ? '+' : '−'}${mb(Math.abs(bytes))}`;

// ---------------------------------------------------------------------------------------------------------------
// Redis: seeding with real BullMQ jobs, command counts, keyspace hash

/** Real BullMQ jobs: a Worker completes (and fails every 5th of) half of them; the rest wait, are delayed or prioritized. */
async function seed(redis: PrivateRedis, full: boolean): Promise<void> {
  const half = Math.floor(OPTS.jobs / 2);
  for (const name of QUEUES) {
    const queue = new Queue(name, { connection: redis.connection, prefix: PREFIX });
    if (full) {
      await queue.addBulk(Array.from({ length: half }, (_, i) => ({ name: `job-${i}`, data: { i, payload: 'x'.repeat(200) }, opts: { attempts: 1 } })));
      const worker = new Worker(
        name,
        async (job) => {
          if (job.data.i % 5 === 0) {
            throw new Error(`soak failure ${job.data.i}`);
          }
          return { ok: job.data.i };
        },
        { connection: redis.connection, prefix: PREFIX, concurrency: 20, autorun: false }
      );
      let done = 0;
      const finished = new Promise<void>((resolve) => {
        const count = () => ++done >= half && resolve();
        worker.on('completed', count);
        worker.on('failed', count);
      });
      void worker.run();
      await finished;
      await worker.close();
    }
    const rest = OPTS.jobs - (full ? half : 0);
    await queue.addBulk(
      Array.from({ length: rest }, (_, i) => ({
        name: `job-${half + i}`,
        data: { i: half + i, payload: 'y'.repeat(200) },
        opts: i % 10 === 0 ? { delay: 3_600_000 } : i % 10 === 1 ? { priority: 1 + (i % 7) } : {},
      }))
    );
    await queue.close();
  }
}

function redisClient(redis: PrivateRedis): IORedis {
  const client = new IORedis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => undefined);
  return client;
}

async function commandsProcessed(redis: PrivateRedis): Promise<number> {
  const client = redisClient(redis);
  try {
    const info = await client.info('stats');
    return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
  } finally {
    client.disconnect();
  }
}

async function redisVersion(redis: PrivateRedis): Promise<string> {
  const client = redisClient(redis);
  try {
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

/** Every key under the prefix with its type, TTL flag and content, hashed (as the fuzz test's keyspaceDigest). */
/**
 * A hash of every key under the prefix without a TTL (type, value). Keys with a TTL are BullMQ's own short-lived
 * markers (`<queue>:stalled-check`, left by the seeding Worker, expires by itself 30 s later): counted, not hashed.
 */
async function keyspaceHash(redis: PrivateRedis): Promise<{ keys: number; volatile: number; sha256: string; perKey: Map<string, string> }> {
  const client = redisClient(redis);
  try {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      batch.forEach((k) => keys.add(k));
    } while (cursor !== '0');
    const total = createHash('sha256');
    const perKey = new Map<string, string>();
    let volatile = 0;
    for (const key of [...keys].sort()) {
      if ((await client.pttl(key)) >= 0) {
        volatile++;
        continue;
      }
      const type = await client.type(key);
      let content: unknown = null;
      if (type === 'string') content = await client.get(key);
      else if (type === 'list') content = await client.lrange(key, 0, -1);
      else if (type === 'hash') content = Object.entries(await client.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : 1));
      else if (type === 'set') content = (await client.smembers(key)).sort();
      else if (type === 'zset') content = await client.zrange(key, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') content = await client.xrange(key, '-', '+');
      const line = JSON.stringify([key, type, content]);
      total.update(line).update('\n');
      perKey.set(key, createHash('sha256').update(line).digest('hex'));
    }
    return { keys: keys.size - volatile, volatile, sha256: total.digest('hex'), perKey };
  } finally {
    client.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The service process

interface ServiceProc {
  label: string;
  url: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Set when it exited without us asking. */
  crashed: string | null;
  stop(): Promise<number | null>;
}

const services: ServiceProc[] = [];

async function startService(label: string, redis: PrivateRedis, env: Record<string, string>, logDir: string): Promise<ServiceProc> {
  const port = await freePort();
  const logFile = path.join(logDir, `service-${label}.log`);
  const log = fs.openSync(logFile, 'a');
  // `node --import tsx` is what `npx tsx` runs, minus the wrappers: the pid is the service's own.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('service', 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      JOBSCOPE_PREFIXES: PREFIX,
      JOBSCOPE_QUEUES: QUEUES.join(','),
      JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
      JOBSCOPE_API_TOKEN: TOKEN,
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: ServiceProc = {
    label,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    child,
    logFile,
    crashed: null,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
      }
      return exited;
    },
  };
  child.once('exit', (code, signal) => {
    if (!stopping) {
      proc.crashed = `exited with ${code ?? signal}`;
      say(`service ${label} CRASHED (${proc.crashed}); log: ${logFile}`);
    }
  });
  services.push(proc);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.crashed) {
      throw new Error(`service ${label} ${proc.crashed}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    const ok = await fetch(`${proc.url}${STATUS}`).then((r) => r.ok, () => false);
    if (ok) {
      return proc;
    }
    if (Date.now() > deadline) {
      throw new Error(`service ${label} did not answer ${STATUS} within 30 s`);
    }
    await sleep(200);
  }
}

/** VmRSS of a process, in bytes (Linux). */
function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN) * 1024;
}

function logLines(file: string, levels: number[]): number {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        return levels.includes((JSON.parse(line) as { level?: number }).level ?? 0);
      } catch {
        return false;
      }
    }).length;
}

// ---------------------------------------------------------------------------------------------------------------
// Load from autocannon, in its own process

interface Cannon {
  answered: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  status5xx: number;
}

function autocannon(url: string, args: string[]): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON, '--json', '--no-progress', '--timeout', '10', ...args, url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        const r = JSON.parse(out.slice(out.indexOf('{'))) as {
          duration: number;
          latency: { p50: number; p99: number; max: number };
          errors: number;
          timeouts: number;
          non2xx: number;
          '2xx': number;
          '5xx': number;
        };
        const answered = r['2xx'] + r.non2xx;
        resolve({
          answered,
          seconds: r.duration,
          rps: answered / r.duration,
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          non2xx: r.non2xx,
          errors: r.errors, // socket errors, timeouts included
          status5xx: r['5xx'],
        });
      } catch (e) {
        reject(new Error(`autocannon exited ${code}: ${err.slice(-1000) || out.slice(-1000) || String(e)}`));
      }
    });
  });
}

interface LoadResult extends Cannon {
  commandsPerRequest: number;
  rssBefore: number;
  rssAfter: number;
}

async function loadPhase(service: ServiceProc, redis: PrivateRedis): Promise<LoadResult> {
  const url = `${service.url}${STATUS}`;
  await autocannon(url, ['-c', String(OPTS.connections), '-d', String(Math.min(3, OPTS.seconds))]); // warm-up: JIT, script cache
  const rssBefore = rssOf(service.pid);
  const commandsBefore = await commandsProcessed(redis);
  const r = await autocannon(url, ['-c', String(OPTS.connections), '-d', String(OPTS.seconds)]);
  // The INFO call itself is one command.
  const commands = (await commandsProcessed(redis)) - commandsBefore - 1;
  return { ...r, commandsPerRequest: commands / Math.max(1, r.answered), rssBefore, rssAfter: rssOf(service.pid) };
}

// ---------------------------------------------------------------------------------------------------------------
// Bad inputs


interface BadInputResult {
  sent: number;
  seed: number;
  statuses: Map<number, number>;
  status5xx: number;
  /** Transport errors: a server that closes after answering a deliberately broken request (an oversized body) counts here. */
  socketErrors: number;
}

async function badInputs(service: ServiceProc, count: number): Promise<BadInputResult> {
  const seed = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31);
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const missing = ['ordres', 'nope', 'x'];
  const nasty = ['', '0', '-1', '1.5', '1e309', 'NaN', 'null', '[]', '%00', '%ZZ', '%2F', '..%2F..', '\u202e', '😀', "'", '"', '<script>', '*',
    'x'.repeat(300), 'x'.repeat(9000), String(2 ** 53), '2097152', 'RUNNING', 'waiting', '__proto__'];
  const enc = (s: string) => (s.startsWith('%') ? s : encodeURIComponent(s));
  // Writes carry the right token half of the time but name queues that do not exist (as the fuzz test does), so
  // whatever passes validation cannot change data; reads may name the real queues and jobs.
  const jobKey = (write: boolean) =>
    jobPath({ source: pick(['bullmq', 'x']), prefix: PREFIX, queue: pick(write ? missing : [...QUEUES, ...missing]), id: pick(['1', '0', 'missing', enc(pick(nasty))]) });
  const paths = (write: boolean): string => {
    const r = random();
    if (r < 0.25) return STATUS;
    if (r < 0.35) return jobKey(write);
    if (r < 0.45) return `${jobKey(write)}/${pick(['retry', 'promote', 'remove', 'cancel', 'logs', enc(pick(nasty))])}`;
    if (r < 0.55) return `${API_PATHS.queues}/${pick(missing)}/${pick(['pause', 'resume', 'retry-failed', 'clean', enc(pick(nasty))])}`;
    if (r < 0.6) return `/${enc(pick(nasty))}`;
    return pick(Object.values(API_PATHS));
  };
  const body = (): string | undefined => {
    const r = random();
    if (r < 0.3) return undefined;
    if (r < 0.6) return JSON.stringify({ queue: pick(missing), name: chance(0.7) ? 'n' : pick(nasty), opts: { priority: pick([0, -1, 2_097_152, 1e21]), delay: pick([-1, 1.5, 2 ** 53]) } });
    if (r < 0.75) return '['.repeat(Math.floor(random() * 5000));
    if (r < 0.85) return 'x'.repeat(pick([10, 300_000]));
    return pick(['{', '{"a":', 'not json', '\u0000\u0001']);
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const result: BadInputResult = { sent: 0, seed, statuses: new Map(), status5xx: 0, socketErrors: 0 };
  const one = (): Promise<void> => {
    const method = pick(['GET', 'GET', 'HEAD', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND']);
    let p = paths(method !== 'GET' && method !== 'HEAD');
    if (chance(0.6)) {
      p += `?${Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${pick(['limit', 'state', 'queue', 'q', 'cursor', 'format', 'max', 'x'])}=${enc(pick(nasty))}`).join('&')}`;
    }
    const data = method === 'GET' || method === 'HEAD' ? undefined : body();
    const headers: Record<string, string> = {};
    const tokenRoll = random();
    if (tokenRoll < 0.5) headers.authorization = `Bearer ${TOKEN}`;
    else if (tokenRoll < 0.7) headers.authorization = pick(['Bearer wrong-token-xyz', 'Basic Zm9vOmJhcg==', 'Bearer ', TOKEN]);
    if (data !== undefined) headers['content-type'] = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/JSON']);
    return new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: Number(new URL(service.url).port), path: p, method, headers, agent }, (res) => {
        const status = res.statusCode ?? 0;
        result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
        const probe = p.startsWith(API_PATHS.readyz) || p.startsWith(API_PATHS.health);
        if (status >= 500 && !(status === 503 && probe)) {
          result.status5xx++;
          say(`bad input ${method} ${p.slice(0, 120)} → ${status}`);
        }
        // Streams and exports: the status is the answer; do not wait for the end.
        res.destroy();
        resolve();
      });
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        result.socketErrors++;
        resolve();
      });
      req.end(data);
    });
  };
  for (let i = 0; i < count; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, count - i) }, () => one()));
    result.sent = Math.min(count, i + 8);
  }
  agent.destroy();
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Viewers through Redis faults

interface Sample {
  start: number;
  end: number;
  status: number;
  stale?: boolean;
  error?: boolean;
}

interface FaultResult {
  viewers: number;
  cycles: number;
  seconds: number;
  answers: number;
  byStatus: Map<number, number>;
  status5xx: number;
  socketErrors: number;
  slowest: number;
  over2s: number;
  staleAnswers: number;
  /** Outages in which some answer said `stale: true`. */
  outagesMarkedStale: number;
  /** Longest time from an outage's start to the first `stale: true` answer. */
  staleAfterMax: number;
  /** Longest time from Redis answering again to the first fresh answer. */
  freshAfterMax: number;
  rssBefore: number;
  rssAfter: number;
}

function getStatus(agent: http.Agent, port: number): Promise<{ status: number; stale?: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: STATUS, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let stale: boolean | undefined;
        if (res.statusCode === 200) {
          try {
            stale = (JSON.parse(Buffer.concat(chunks).toString()) as { stale?: boolean }).stale;
          } catch {
            stale = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, stale });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}

async function faultPhase(service: ServiceProc, redis: PrivateRedis): Promise<FaultResult> {
  const port = Number(new URL(service.url).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: OPTS.viewers });
  const samples: Sample[] = [];
  let polling = true;
  const started = Date.now();
  const viewers = Array.from({ length: OPTS.viewers }, async (_, i) => {
    await sleep((i * POLL_MS) / OPTS.viewers);
    while (polling) {
      const start = Date.now();
      const sample: Sample = { start, end: 0, status: 0 };
      try {
        Object.assign(sample, await getStatus(agent, port));
      } catch {
        sample.error = true;
      }
      sample.end = Date.now();
      samples.push(sample);
      await sleep(Math.max(0, POLL_MS - (sample.end - start)));
    }
  });
  await sleep(POLL_MS + 500);
  const rssBefore = rssOf(service.pid);
  const outages: { down: number; up: number; staleAt?: number; freshAt?: number }[] = [];
  for (let c = 0; c < OPTS.cycles && !service.crashed; c++) {
    const down = Date.now();
    await redis.stop(); // SIGKILL
    await sleep(OPTS.downMs);
    await redis.restart(); // empty dataset: seed again (fast path)
    await seed(redis, false);
    const up = Date.now();
    const outage: { down: number; up: number; staleAt?: number; freshAt?: number } = { down, up };
    outages.push(outage);
    const deadline = Date.now() + 15_000;
    while (!service.crashed && Date.now() < deadline && !samples.some((s) => s.start >= up && s.stale === false)) {
      await sleep(50);
    }
    await sleep(OPTS.upMs);
    say(`fault cycle ${c + 1}/${OPTS.cycles}: ${samples.length} answers so far, service RSS ${mb(rssOf(service.pid))} MB`);
  }
  polling = false;
  await Promise.all(viewers);
  const rssAfter = service.crashed ? NaN : rssOf(service.pid);
  agent.destroy();

  for (const o of outages) {
    o.staleAt = samples.find((s) => s.start >= o.down && s.stale === true && s.end <= o.up + 5000)?.end;
    o.freshAt = samples.find((s) => s.start >= o.up && s.stale === false)?.end;
  }
  const byStatus = new Map<number, number>();
  for (const s of samples) {
    if (!s.error) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
  }
  return {
    viewers: OPTS.viewers,
    cycles: outages.length,
    seconds: (Date.now() - started) / 1000,
    answers: samples.filter((s) => !s.error).length,
    byStatus,
    status5xx: samples.filter((s) => s.status >= 500).length,
    socketErrors: samples.filter((s) => s.error).length,
    slowest: Math.max(0, ...samples.map((s) => s.end - s.start)),
    over2s: samples.filter((s) => s.end - s.start > 2000).length,
    staleAnswers: samples.filter((s) => s.stale === true).length,
    outagesMarkedStale: outages.filter((o) => o.staleAt !== undefined).length,
    staleAfterMax: Math.max(0, ...outages.map((o) => (o.staleAt ?? NaN) - o.down).filter(Number.isFinite)),
    freshAfterMax: Math.max(0, ...outages.map((o) => (o.freshAt ?? Infinity) - o.up)),
    rssBefore,
    rssAfter,
  };
}

// ---------------------------------------------------------------------------------------------------------------

function fuzzTestCount(): number | null {
  const text = fs.readFileSync(path.join(ROOT, 'service', 'test', 'fuzz.integration.test.ts'), 'utf8');
  const m = /JOBSCOPE_FUZZ_COUNT \?\? ([\d_]+)/.exec(text);
  return m ? Number(m[1].replace(/_/g, '')) : null;
}

const statusList = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${fmt(n)}`).join(', ');

async function main(): Promise<void> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-soak-'));
  const cpu = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  say(`logs in ${logDir}; options ${JSON.stringify(OPTS)}; load average at start ${load}`);
  const redis = await PrivateRedis.start();
  try {
    const redisVer = await redisVersion(redis);
    const t0 = Date.now();
    await seed(redis, true);
    const seeded = await keyspaceHash(redis);
    say(`seeded ${QUEUES.length} × ${OPTS.jobs} BullMQ jobs in ${Date.now() - t0} ms (${seeded.keys} keys + ${seeded.volatile} with a TTL, sha256 ${seeded.sha256.slice(0, 12)})`);

    // 1 + 2: uncached load, then the growth run on the same process.
    const uncachedSvc = await startService('uncached', redis, { JOBSCOPE_SNAPSHOT_TTL_MS: '0' }, logDir);
    const uncached = await loadPhase(uncachedSvc, redis);
    say(`uncached: ${fmt(uncached.rps)} req/s, p50 ${uncached.p50} ms, p99 ${uncached.p99} ms, ${uncached.non2xx} non-2xx, ${uncached.errors} socket errors, ${uncached.commandsPerRequest.toFixed(2)} Redis commands/request`);
    const half = Math.floor(OPTS.requests / 2);
    const rss0 = rssOf(uncachedSvc.pid);
    const g1 = await autocannon(`${uncachedSvc.url}${STATUS}`, ['-c', String(OPTS.connections), '-a', String(half)]);
    const rss1 = rssOf(uncachedSvc.pid);
    const g2 = await autocannon(`${uncachedSvc.url}${STATUS}`, ['-c', String(OPTS.connections), '-a', String(OPTS.requests - half)]);
    const rss2 = rssOf(uncachedSvc.pid);
    const growth = { requests: g1.answered + g2.answered, errors: g1.errors + g2.errors + g1.non2xx + g2.non2xx, rss0, rss1, rss2 };
    say(`growth: ${fmt(growth.requests)} requests, RSS ${mb(rss0)} → ${mb(rss1)} → ${mb(rss2)} MB`);
    const uncachedExit = await uncachedSvc.stop();

    // 1 + 3 + 4: cached (default TTL) load, bad inputs, keyspace check, then the viewers through faults.
    const cachedSvc = await startService('cached', redis, {}, logDir);
    const cached = await loadPhase(cachedSvc, redis);
    say(`cached: ${fmt(cached.rps)} req/s, p50 ${cached.p50} ms, p99 ${cached.p99} ms, ${cached.non2xx} non-2xx, ${cached.errors} socket errors, ${cached.commandsPerRequest.toFixed(3)} Redis commands/request`);
    const bad = await badInputs(cachedSvc, OPTS.badInputs);
    say(`bad inputs: ${fmt(bad.sent)} (seed ${bad.seed}, SOAK_SEED to replay), statuses {${statusList(bad.statuses)}}, ${bad.status5xx} × 5xx, ${bad.socketErrors} sockets closed by the server`);
    const after = await keyspaceHash(redis);
    const unchanged = after.sha256 === seeded.sha256 && after.keys === seeded.keys;
    say(`keyspace after load and bad inputs: ${after.keys} keys, sha256 ${after.sha256.slice(0, 12)} (${unchanged ? 'unchanged' : 'CHANGED'})`);
    if (!unchanged) {
      const changed = [...new Set([...seeded.perKey.keys(), ...after.perKey.keys()])].filter((k) => seeded.perKey.get(k) !== after.perKey.get(k));
      say(`changed keys (${changed.length}): ${changed.slice(0, 10).join(', ')}`);
    }
    const faults = await faultPhase(cachedSvc, redis);
    say(`faults: ${fmt(faults.answers)} answers {${statusList(faults.byStatus)}}, ${faults.socketErrors} socket errors, slowest ${faults.slowest} ms`);
    const cachedExit = await cachedSvc.stop();

    const crashes = services.filter((s) => s.crashed).length;
    const errorLogs = services.reduce((n, s) => n + logLines(s.logFile, [50, 60]), 0);
    const fuzzCount = fuzzTestCount();
    const load5xx = uncached.status5xx + cached.status5xx;
    const rows: [string, string][] = [
      ['Machine', `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), Node.js ${process.version}, Redis ${redisVer}; shared with other jobs (load average ${load} at start)`],
      ['Data', `${QUEUES.length} queues × ${OPTS.jobs} real BullMQ jobs (completed, failed, waiting, delayed, prioritized), ${seeded.keys} keys`],
      [`Load held, uncached (TTL 0)`, `${fmt(uncached.rps)} req/s, p50 ${uncached.p50} ms, p99 ${uncached.p99} ms, ${uncached.non2xx + uncached.errors} errors; ${uncached.commandsPerRequest.toFixed(2)} Redis commands/request; RSS ${mb(uncached.rssBefore)} → ${mb(uncached.rssAfter)} MB`],
      [`Load held, cached (default TTL)`, `${fmt(cached.rps)} req/s, p50 ${cached.p50} ms, p99 ${cached.p99} ms, ${cached.non2xx + cached.errors} errors; ${cached.commandsPerRequest.toFixed(3)} Redis commands/request; RSS ${mb(cached.rssBefore)} → ${mb(cached.rssAfter)} MB`],
      [`${fmt(growth.requests)} more requests (uncached)`, `RSS ${mb(rss0)} → ${mb(rss1)} → ${mb(rss2)} MB (${signed(rss2 - rss0)} MB in all, ${signed(rss2 - rss1)} MB over the second half); ${growth.errors} errors`],
      ['Faults survived', `${faults.cycles} Redis kill -9/restart cycles under ${fmt(faults.viewers)} keep-alive viewers polling every 2 s (${Math.round(faults.seconds)} s): ${crashes} crashes, ${faults.status5xx} × 5xx, ${faults.socketErrors} socket errors in ${fmt(faults.answers)} answers; slowest ${faults.slowest} ms (${faults.over2s} over 2 s); \`stale: true\` in ${faults.outagesMarkedStale}/${faults.cycles} outages (within ${faults.staleAfterMax} ms), fresh again within ${faults.freshAfterMax} ms; RSS ${mb(faults.rssBefore)} → ${mb(faults.rssAfter)} MB`],
      ['Bad inputs tried', `${fmt(bad.sent)} generated requests on every route and method here (${bad.status5xx} × 5xx)${fuzzCount ? `, plus ${fmt(fuzzCount)} per \`npm test\` run (fuzz.integration.test.ts)` : ''}`],
      ['Nothing lost', `keyspace hash of the ${seeded.keys} keys under \`${PREFIX}:\` ${unchanged ? 'identical' : 'DIFFERENT'} before and after load and bad inputs; ${errorLogs} error-level log lines; exit codes ${uncachedExit}/${cachedExit} on SIGTERM`],
    ];
    const table = ['| Soak | Figure |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
    process.stdout.write(`\n${table}\n\n`);
    const failed = crashes > 0 || !unchanged || load5xx + bad.status5xx + faults.status5xx > 0 || uncachedExit !== 0 || cachedExit !== 0;
    say(failed ? 'FAILED' : 'passed');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await redis.destroy();
  }
}

main().catch(async (err) => {
  console.error(err);
  await Promise.all(services.map((s) => s.stop().catch(() => null)));
  process.exit(1);
});
