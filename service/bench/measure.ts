import http from 'node:http';
import type Redis from 'ioredis';

export interface LatencyStats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentiles of milliseconds. */
export function latencyStats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return {
    n: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Redis server CPU (user + sys, all threads) in seconds, from INFO cpu. */
export async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

/** Per command: calls and Redis-side microseconds per timed call (INFO commandstats delta). */
export type CommandCosts = Record<string, { callsPerRequest: number; usPerRequest: number }>;

export interface Measurement {
  latency: LatencyStats;
  /** Redis CPU per call (ms), INFO cpu delta over the timed calls; includes other clients' load on a shared server. */
  redisCpuMs: number;
  /**
   * Where Redis spent its time, per call. Commands run inside a script are counted both on their own line and in
   * the script's (evalsha) line, so the lines do not add up.
   */
  redisCommands: CommandCosts;
}

type CommandStats = Map<string, { calls: number; usec: number }>;

async function commandStats(admin: Redis): Promise<CommandStats> {
  const stats: CommandStats = new Map();
  const info = await admin.info('commandstats');
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return stats;
}

function commandDelta(before: CommandStats, after: CommandStats, n: number): CommandCosts {
  const out: CommandCosts = {};
  const rows = [...after].map(([name, a]) => {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    return { name, calls: a.calls - b.calls, usec: a.usec - b.usec };
  });
  rows.sort((x, y) => y.usec - x.usec);
  for (const r of rows.filter((r) => r.calls > 0 && r.name !== 'info').slice(0, 8)) {
    out[r.name] = { callsPerRequest: r.calls / n, usPerRequest: r.usec / n };
  }
  return out;
}

/** `warmup` untimed calls, then `n` sequential timed ones. */
export async function measureSequential(n: number, warmup: number, call: () => Promise<unknown>, admin: Redis): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) {
    await call();
  }
  const samples: number[] = [];
  const commandsBefore = await commandStats(admin);
  const cpuBefore = await redisCpuSeconds(admin);
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call();
    samples.push(performance.now() - started);
  }
  const cpuAfter = await redisCpuSeconds(admin);
  const commandsAfter = await commandStats(admin);
  return {
    latency: latencyStats(samples),
    redisCpuMs: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, n),
    redisCommands: commandDelta(commandsBefore, commandsAfter, Math.max(1, n)),
  };
}

export interface HttpReply {
  status: number;
  body: Buffer;
}

/** A keep-alive GET client: one socket reused, so the figures are the service's time, not TCP setup. */
export class KeepAliveClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  get(url: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const req = http.get(url, { agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
