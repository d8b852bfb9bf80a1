/**
 * `npm start` as a newcomer runs it: no Redis at REDIS_URL, so the launcher starts a private redis-server, the service
 * and the demo workload; the demo's jobs show up in the status route; Ctrl-C stops everything and removes the data.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StatusResponse } from '@jobscope/contract';
import { freePort } from '../../scripts/lib/private-redis';

const root = path.resolve(__dirname, '../..');
jest.setTimeout(90_000);

function launch(env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  let running: ChildProcessWithoutNullStreams | null = null;
  afterEach(() => {
    if (running && running.exitCode === null) {
      running.kill('SIGKILL');
    }
  });

  it('starts a private Redis, the service and the demo, and stops them all on Ctrl-C', async () => {
    const deadRedisPort = await freePort();
    const port = await freePort();
    const { child, output } = launch({ REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`, PORT: String(port), LOG_LEVEL: 'warn' });
    running = child;
    await until('the ready message', () => (output().includes('press Ctrl-C') ? true : undefined), 40_000);
    const match = /private redis-server at redis:\/\/127\.0\.0\.1:(\d+) \(data in (\S+),/.exec(output());
    expect(match).not.toBeNull();
    const redisPort = Number(match![1]);
    const dataDir = match![2];
    expect(fs.existsSync(dataDir)).toBe(true);

    // The demo's producer and workers put jobs on all three queues within a few seconds.
    const status = await until(
      'demo jobs on all three queues',
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/settings/jobs/status?limit=50`);
        const body = (await res.json()) as StatusResponse;
        const names = body.queues.map((q) => q.name).sort();
        return names.length === 3 && body.jobs.length > 0 ? body : undefined;
      },
      30_000
    );
    expect(status.queues.map((q) => q.name).sort()).toEqual(['email', 'reports', 'topology-discovery']);
    expect(status.workers.items.map((w) => w.name).sort()).toEqual(
      expect.arrayContaining(['demo-email', 'demo-reports', 'demo-topology-discovery'])
    );

    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
    expect(await portAnswers(port)).toBe(false);
    expect(await portAnswers(redisPort)).toBe(false);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('exits with one clear line when no Redis answers and redis-server is not installed', async () => {
    const deadRedisPort = await freePort();
    const { child, output } = launch({
      REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`,
      // Node stays reachable by absolute path; PATH no longer finds redis-server.
      PATH: path.dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : path.dirname(process.execPath),
    });
    running = child;
    expect(await exited(child)).toBe(1);
    expect(output()).toMatch(/no Redis answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed: install Redis/);
  });
});
