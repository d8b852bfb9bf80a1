import http from 'node:http';
import type Redis from 'ioredis';
import { commandStats } from './commandstats';

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


/**
 * Collects timings of one thing over several blocks of sequential calls (interleaved with other things' blocks), with
 * the Redis CPU and per-command time of those blocks only.
 */
export class Sampler {
  private readonly samples: number[] = [];
  private cpuSeconds = 0;
  private readonly commands = new Map<string, { calls: number; usec: number }>();

  constructor(
    private readonly call: () => Promise<unknown>,
    private readonly admin: Redis
  ) {}

  async warmup(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await this.call();
    }
  }

  async block(n: number): Promise<void> {
    const commandsBefore = await commandStats(this.admin);
    const cpuBefore = await redisCpuSeconds(this.admin);
    for (let i = 0; i < n; i++) {
      const started = performance.now();
      await this.call();
      this.samples.push(performance.now() - started);
    }
    this.cpuSeconds += (await redisCpuSeconds(this.admin)) - cpuBefore;
    for (const [name, after] of await commandStats(this.admin)) {
      const before = commandsBefore.get(name) ?? { calls: 0, usec: 0 };
      const sum = this.commands.get(name) ?? { calls: 0, usec: 0 };
      this.commands.set(name, { calls: sum.calls + after.calls - before.calls, usec: sum.usec + after.usec - before.usec });
    }
  }

  result(): Measurement {
    const n = Math.max(1, this.samples.length);
    const rows = [...this.commands]
      .filter(([name, c]) => c.calls > 0 && name !== 'info')
      .sort(([, a], [, b]) => b.usec - a.usec)
      .slice(0, 8);
    return {
      latency: latencyStats(this.samples),
      redisCpuMs: (this.cpuSeconds * 1000) / n,
      redisCommands: Object.fromEntries(rows.map(([name, c]) => [name, { callsPerRequest: c.calls / n, usPerRequest: c.usec / n }])),
    };
  }
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
