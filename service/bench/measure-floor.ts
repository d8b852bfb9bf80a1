/**
 * The floor of the status route and where its time goes (README "Floor and profile"):
 *
 * - a bare `node:http` server in its own Node process (floor-server.js) answering with the exact bytes the service
 *   gave for each view, timed with the same keep-alive client, in blocks interleaved with the uncached (TTL 0) and the
 *   cached (default TTL) service and an in-process split of one snapshot into Redis round trip and Node work;
 * - with `--profile`, the uncached `all` loop against a service under `node --cpu-prof`, summarized by self time.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { API_PATHS } from '@jobscope/contract';
import { KeepAliveClient, latencyStats, Sampler, type LatencyStats, type Measurement } from './measure';
import type { ServiceUnderTest, SpawnedService } from './service-under-test';

export interface FloorView {
  view: string;
  /** Path and query, the same on the service and the floor. */
  path: string;
  replyBytes: number;
  floor: Measurement;
  uncached: Measurement;
  cached: Measurement;
  uncachedOverFloor: number;
  cachedOverFloor: number;
  /** In-process `snapshots.get()` of the uncached service, split by timing the service's own ioredis commands. */
  split: {
    total: LatencyStats;
    /** First command sent → last reply parsed by ioredis (PING, the script, CLIENT LIST run concurrently). */
    redisRoundTrip: LatencyStats;
    /** total − round trip, per call: query handling before the first command and the build after the last reply. */
    nodeWork: LatencyStats;
    commands: number;
  };
}

export interface FloorResults {
  label: string;
  headers: Record<string, string>;
  views: FloorView[];
}

export interface FloorArgs {
  admin: Redis;
  /** Big dataset: uncached spawned service, cached spawned service, in-process (TTL 0) service. */
  uncachedUrl: string;
  cachedUrl: string;
  sut: ServiceUnderTest;
  label: string;
  requests: number;
  warmup: number;
  rounds: number;
  log: (line: string) => void;
}

const FLOOR_VIEWS: Array<{ view: string; query: string; state?: 'FAILURE' }> = [
  { view: 'all', query: '?limit=20' },
  { view: 'FAILURE', query: '?limit=20&state=FAILURE', state: 'FAILURE' },
];

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

async function getWithHeaders(url: string): Promise<RawReply> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** floor-server.js in its own Node process, serving `routes` (path → reply). */
export async function spawnFloor(routes: Record<string, { contentType: string; body: Buffer }>): Promise<SpawnedService> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-floor-')), 'routes.json');
  fs.writeFileSync(
    file,
    JSON.stringify(Object.fromEntries(Object.entries(routes).map(([url, r]) => [url, { contentType: r.contentType, body: r.body.toString('base64') }])))
  );
  const child = spawn(process.execPath, [path.join(__dirname, 'floor-server.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`floor server did not start: ${output}`)), 10_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      const m = /floor listening (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`floor server exited: ${output}`)));
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    },
  };
}

type SendCommand = Redis['sendCommand'];

/**
 * Times every command the in-process service sends on its own ioredis client during one call: first send → last
 * reply (resolved by ioredis after parsing). The wrapper's handler is attached before the caller's await, so it runs
 * first.
 */
function commandSpan(redis: Redis): { span: () => { ms: number; commands: number }; reset: () => void; restore: () => void } {
  const original: SendCommand = redis.sendCommand;
  let first = -1;
  let last = -1;
  let commands = 0;
  redis.sendCommand = ((command, stream) => {
    const t = performance.now();
    if (first < 0) first = t;
    commands++;
    const sent = original.call(redis, command, stream);
    command.promise.then(
      () => {
        last = performance.now();
      },
      () => undefined
    );
    return sent;
  }) as SendCommand;
  return {
    reset: () => {
      first = -1;
      last = -1;
      commands = 0;
    },
    span: () => ({ ms: first < 0 || last < 0 ? NaN : last - first, commands }),
    restore: () => {
      redis.sendCommand = original;
    },
  };
}

/** Floor, uncached and cached service, and the in-process split, for `all` and `FAILURE`, in interleaved blocks. */
export async function measureFloor(args: FloorArgs): Promise<FloorResults> {
  const statusPath = API_PATHS.status;
  const routes: Record<string, { contentType: string; body: Buffer }> = {};
  let headers: Record<string, string> = {};
  for (const v of FLOOR_VIEWS) {
    const reply = await getWithHeaders(`${args.uncachedUrl}${statusPath}${v.query}`);
    if (reply.status !== 200) throw new Error(`GET ${statusPath}${v.query} answered ${reply.status}`);
    routes[`${statusPath}${v.query}`] = { contentType: String(reply.headers['content-type']), body: reply.body };
    if (v.view === 'all') {
      headers = Object.fromEntries(Object.entries(reply.headers).map(([k, val]) => [k, String(val)]));
    }
  }
  const floor = await spawnFloor(routes);
  const client = new KeepAliveClient();
  const spans = commandSpan(args.sut.service.redis as Redis); // the bench runs on one Redis
  const perBlock = Math.max(1, Math.ceil(args.requests / args.rounds));
  const views: FloorView[] = [];
  try {
    for (const v of FLOOR_VIEWS) {
      const p = `${statusPath}${v.query}`;
      const expected = routes[p].body.length;
      const get = (base: string) => async () => {
        const reply = await client.get(`${base}${p}`);
        if (reply.status !== 200) throw new Error(`GET ${base}${p} answered ${reply.status}`);
      };
      const floorCheck = await client.get(`${floor.url}${p}`);
      if (!floorCheck.body.equals(routes[p].body)) throw new Error(`floor server did not answer the recorded bytes for ${p}`);
      const split = { total: [] as number[], round: [] as number[], node: [] as number[], commands: 0, calls: 0 };
      const query = { limit: 20, ...(v.state ? { state: v.state } : {}) };
      const runs = {
        floor: new Sampler(get(floor.url), args.admin),
        uncached: new Sampler(get(args.uncachedUrl), args.admin),
        cached: new Sampler(get(args.cachedUrl), args.admin),
        split: new Sampler(async () => {
          spans.reset();
          const t = performance.now();
          await args.sut.service.snapshots.get(query);
          const total = performance.now() - t;
          const s = spans.span();
          split.total.push(total);
          split.round.push(s.ms);
          split.node.push(total - s.ms);
          split.commands += s.commands;
          split.calls++;
        }, args.admin),
      };
      const order = [runs.floor, runs.uncached, runs.cached, runs.split];
      for (const run of order) await run.warmup(args.warmup);
      split.total.length = split.round.length = split.node.length = 0;
      split.commands = split.calls = 0;
      for (let round = 0; round < args.rounds; round++) {
        for (const run of round % 2 === 0 ? order : [...order].reverse()) {
          await run.block(run === runs.split ? Math.ceil(perBlock / 2) : perBlock);
        }
      }
      const r: FloorView = {
        view: v.view,
        path: p,
        replyBytes: expected,
        floor: runs.floor.result(),
        uncached: runs.uncached.result(),
        cached: runs.cached.result(),
        uncachedOverFloor: 0,
        cachedOverFloor: 0,
        split: {
          total: latencyStats(split.total),
          redisRoundTrip: latencyStats(split.round),
          nodeWork: latencyStats(split.node),
          commands: split.commands / Math.max(1, split.calls),
        },
      };
      r.uncachedOverFloor = r.uncached.latency.p50 / r.floor.latency.p50;
      r.cachedOverFloor = r.cached.latency.p50 / r.floor.latency.p50;
      views.push(r);
      args.log(
        `  floor ${v.view.padEnd(8)} floor p50 ${r.floor.latency.p50.toFixed(2)} ms | uncached ${r.uncached.latency.p50.toFixed(2)} ms ` +
          `(${r.uncachedOverFloor.toFixed(1)}x) | cached ${r.cached.latency.p50.toFixed(2)} ms (${r.cachedOverFloor.toFixed(1)}x) | ` +
          `in-process ${r.split.total.p50.toFixed(2)} = Redis ${r.split.redisRoundTrip.p50.toFixed(2)} + Node ${r.split.nodeWork.p50.toFixed(2)} ms`
      );
    }
  } finally {
    spans.restore();
    client.close();
    await floor.close();
  }
  return { label: args.label, headers, views };
}

// ---------------------------------------------------------------------------------------------------------------
// CPU profile

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) samples. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  requests: number;
  latency: LatencyStats;
  intervalUs: number;
  /** Samples inside the timed loop (all of the profile when the clocks could not be matched). */
  samplesInWindow: number;
  windowMatched: boolean;
  busyMs: number;
  idleMs: number;
  /** Service CPU per request: busy sample time / requests. */
  busyMsPerRequest: number;
  functions: ProfileRow[];
  files: ProfileRow[];
}

/** `file:///…/node_modules/hono/dist/x.js` → `hono/dist/x.js`, `…/service/src/a/b.ts` → `src/a/b.ts`. */
function shortUrl(url: string): string {
  if (!url) return '';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  const root = path.join(__dirname, '..', '..');
  return u.startsWith(root) ? path.relative(root, u) : u;
}

/** Coarser bucket for the by-file table: a package, a service file, node internals, or V8's pseudo-frames. */
function fileBucket(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const s = shortUrl(url);
  if (s.startsWith('@')) return s.split('/').slice(0, 2).join('/');
  if (!s.startsWith('/') && url.includes('/node_modules/')) return s.split('/')[0];
  return s;
}

/**
 * Self time of a V8 .cpuprofile: each sample charged the interval before it (timeDeltas) to its leaf node, restricted
 * to [fromUs, toUs] in the profile's clock (CLOCK_MONOTONIC µs on Linux, the same as process.hrtime).
 */
export function summarizeCpuProfile(file: string, fromUs: number, toUs: number, requests: number, latency: LatencyStats, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const intervalUs = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length);
  const collect = (windowed: boolean) => {
    const self = new Map<number, number>();
    let t = profile.startTime;
    let n = 0;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i] ?? 0;
      if (windowed && (t < fromUs || t > toUs)) return;
      const dt = profile.timeDeltas[i + 1] ?? intervalUs;
      self.set(id, (self.get(id) ?? 0) + Math.max(0, dt));
      n++;
    });
    return { self, n };
  };
  let { self, n } = collect(true);
  const windowMatched = n > 0;
  if (!windowMatched) ({ self, n } = collect(false));
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)!;
    if (f.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const where = f.url ? ` ${shortUrl(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}${where}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const bucket = fileBucket(f.url, f.functionName);
    files.set(bucket, (files.get(bucket) ?? 0) + us);
  }
  const rows = (m: Map<string, number>, k: number): ProfileRow[] =>
    [...m]
      .sort(([, a], [, b]) => b - a)
      .slice(0, k)
      .map(([name, us]) => ({ name, ms: us / 1000, percent: (100 * us) / Math.max(1, busyUs) }));
  return {
    file,
    requests,
    latency,
    intervalUs,
    samplesInWindow: n,
    windowMatched,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    busyMsPerRequest: busyUs / 1000 / Math.max(1, requests),
    functions: rows(fns, top),
    files: rows(files, 12),
  };
}

export interface ProfileArgs {
  /** Starts the service with the given Node flags (spawnService with the big dataset, TTL 0). */
  start: (nodeArgs: string[]) => Promise<SpawnedService>;
  requests: number;
  warmup: number;
  log: (line: string) => void;
}

/** The uncached `all` loop against a service under `--cpu-prof`, then its profile summarized. */
export async function profileUncachedAll(args: ProfileArgs): Promise<ProfileSummary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-prof-'));
  const intervalUs = 250;
  const service = await args.start(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(intervalUs)]);
  const client = new KeepAliveClient();
  const url = `${service.url}${API_PATHS.status}?limit=20`;
  const samples: number[] = [];
  let fromUs = 0;
  let toUs = 0;
  try {
    for (let i = 0; i < args.warmup; i++) await client.get(url);
    fromUs = Number(process.hrtime.bigint() / 1000n);
    for (let i = 0; i < args.requests; i++) {
      const t = performance.now();
      const reply = await client.get(url);
      samples.push(performance.now() - t);
      if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}`);
    }
    toUs = Number(process.hrtime.bigint() / 1000n);
  } finally {
    client.close();
    // SIGTERM → graceful shutdown → process.exit, which writes the profile.
    await service.close();
  }
  const profiles = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (profiles.length === 0) throw new Error(`no .cpuprofile written to ${dir}`);
  // The main thread's profile (tsx's loader thread may write its own): the largest file.
  const file = profiles.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  const summary = summarizeCpuProfile(file, fromUs, toUs, args.requests, latencyStats(samples));
  args.log(
    `  profile: ${args.requests} uncached "all" requests, p50 ${summary.latency.p50.toFixed(2)} ms under --cpu-prof; ` +
      `service busy ${summary.busyMsPerRequest.toFixed(2)} ms CPU / request; ${summary.samplesInWindow} samples ` +
      `${summary.windowMatched ? 'in the timed loop' : '(whole process: clocks not matched)'}; ${file}`
  );
  return summary;
}
