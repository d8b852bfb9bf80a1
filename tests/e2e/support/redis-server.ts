// A private redis-server on a free loopback port in a temp dir, which a test can stop and start again on the same port.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitUntil } from './net';
import { type Spawned, spawnLogged, tailOf } from './processes';

export interface PrivateRedis {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its temp dir. */
  dispose(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      answer += d.toString();
      if (answer.includes('\r\n')) {
        socket.end();
        resolve(answer.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startPrivateRedis(logDir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-e2e-redis-'));
  const logFile = path.join(logDir, `redis-${port}.log`);
  let proc: Spawned | null = null;

  const start = async () => {
    if (proc) {
      return;
    }
    proc = spawnLogged('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      cwd: dir,
      logFile,
      tempDir: dir,
    });
    try {
      await waitUntil(`redis-server on port ${port}`, () => ping(port), 10_000, 50);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${tailOf(logFile)}`);
    }
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    await p?.stop();
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
