import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A redis-server owned by one test file: own port, own temp dir, no persistence. `stop()` and `restart()` (same port)
 * let tests take Redis away from a running service and give it back. Always call `destroy()` in afterAll.
 */
export class PrivateRedis {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get connection(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  get running(): boolean {
    return this.proc !== null;
  }

  static async start(): Promise<PrivateRedis> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-redis-'));
    const server = new PrivateRedis(await freePort(), dir);
    await server.launch();
    return server;
  }

  /** Starts the server again on the same port (and a fresh, empty dataset). */
  async restart(): Promise<void> {
    if (this.proc) {
      throw new Error('redis-server is already running');
    }
    await this.launch();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) {
      return;
    }
    this.proc = null;
    if (proc.exitCode !== null || proc.signalCode !== null) {
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

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const proc = spawn(
      'redis-server',
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--save', '',
        '--appendonly', 'no',
        '--maxmemory-policy', 'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    // Even if the test process ends without afterAll (crash, forced exit), the server does not outlive it.
    const killOnExit = () => proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    proc.once('exit', () => process.removeListener('exit', killOnExit));
    let output = '';
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    this.proc = proc;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) {
        this.proc = null;
        throw new Error(`redis-server exited with ${proc.exitCode}: ${output.slice(-500)}`);
      }
      const probe = new Redis({ ...this.connection, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') {
          return;
        }
      } catch {
        // not listening yet
      } finally {
        probe.disconnect();
      }
      await sleep(50);
    }
    await this.stop();
    throw new Error(`redis-server did not answer on port ${this.port}: ${output.slice(-500)}`);
  }
}
