// Redis server processes on loopback for tests (sentinels, cluster nodes): start, wait, ask.
import { type ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';

export interface RedisProcess {
  port: number;
  proc: ChildProcess;
}

/** Starts `redis-server args…` and resolves once its output matches `readyLine` (10 s at most). */
export async function launchRedis(args: string[], readyLine: RegExp): Promise<ChildProcess> {
  const proc = spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (readyLine.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    proc.kill('SIGKILL');
    throw new Error(`redis-server ${args.join(' ')} did not start: ${output.slice(-500)}`);
  }
  return proc;
}

/** Polls `read` every 100 ms until it gives a value; errors count as "not yet". */
export async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One short-lived connection to a loopback node: runs `fn` on it, then disconnects. */
export async function ask<T>(port: number, fn: (r: Redis) => Promise<T>, password?: string): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
