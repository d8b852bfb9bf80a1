/**
 * Redis helpers shared by `npm start`, the benchmark and the tests: is Redis there, where is redis-server, and a
 * throw-away redis-server on a free loopback port (data in a temp dir, no persistence) that can be stopped, frozen
 * and started again on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';

/** True when something at `url` answers PING within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export function findOnPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, binary);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface PrivateRedisOptions {
  /** Default: `REDIS_SERVER_BIN`, else `redis-server` on PATH. */
  binary?: string;
  /** Server output is appended here (else kept in memory for error messages). */
  logFile?: string;
  /** Own process group, so a terminal Ctrl-C reaches the other children first (npm start stops Redis last). */
  detached?: boolean;
  /** Called with every spawned server, e.g. to attach a watchdog. */
  onSpawn?: (child: ChildProcess, dir: string) => void;
  /**
   * TLS only: `--port 0 --tls-port <port>` with these PEM files and `--tls-auth-clients no` (no client certificates);
   * `url` is then `rediss://`. The server certificate must name 127.0.0.1 (IP SAN) for clients to accept it.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

/** redis-server writes this line once it accepts connections: no polling client, no stray timers. */
const READY_LINE = 'Ready to accept connections';

export class PrivateRedis {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly opts: PrivateRedisOptions
  ) {}

  static async start(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-redis-'));
    const server = new PrivateRedis(await freePort(), dir, opts);
    try {
      await server.launch();
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return server;
  }

  get url(): string {
    return `${this.opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  get connection(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** Starts the server again on the same port, with an empty dataset. */
  async restart(): Promise<void> {
    if (this.proc) {
      throw new Error('redis-server is already running');
    }
    await this.launch();
  }

  /** Kills the server (there is nothing to persist); the port and dir stay for `restart()`. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (!proc || !isRunning(proc)) {
      return;
    }
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: connections stay open but nothing answers, like a hung server or a network black hole. */
  freeze(): void {
    this.proc?.kill('SIGSTOP');
  }

  thaw(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Stops the server and removes its data dir. */
  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const binary = this.opts.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];
    const tls = this.opts.tls;
    if (tls) {
      // The last `--port` wins: no plain-TCP listener, TLS on the chosen port.
      args.push('--port', '0', '--tls-port', String(this.port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile,
        '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no');
    }
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: this.opts.detached ?? false });
    this.opts.onSpawn?.(proc, this.dir);
    this.proc = proc;
    let output = '';
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        if (this.opts.logFile) {
          fs.appendFileSync(this.opts.logFile, text);
        }
        if (output.length < 20_000) {
          output += text;
        }
        if (output.includes(READY_LINE)) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', () => resolve(false));
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      await this.stop();
      throw new Error(`could not start ${binary} on port ${this.port}: ${output.trim().slice(-500) || 'timed out'}`);
    }
  }
}
