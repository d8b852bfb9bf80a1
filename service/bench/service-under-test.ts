import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createService, type Service } from '../src/service';

export interface ServiceUnderTest {
  service: Service;
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  close(): Promise<void>;
}

/**
 * The real service (config from env, as main.ts does) on @hono/node-server, loopback, free port. Snapshot TTL 0 so
 * every request reads Redis; the queue list is explicit so no discovery SCAN runs during the measurement.
 */
export async function startService(redisUrl: string, prefix: string, queues: string[]): Promise<ServiceUnderTest> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_QUEUES: queues.join(','),
    JOBSCOPE_SNAPSHOT_TTL_MS: '0',
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const service = await createService(config, createLogger(config.logLevel));
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = serve({ fetch: service.app.fetch, hostname: config.host, port: config.port }, () => resolve(s as http.Server));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    service,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}

export interface SpawnedService {
  url: string;
  pid: number;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The service as deployed: `src/main.ts` in its own Node process (via tsx), configured by env, on a free loopback
 * port. Its heap and event loop are its own, so the bench's client, workers and naive queries do not disturb it.
 */
export async function spawnService(
  redisUrl: string,
  prefix: string,
  queues: string[],
  timeoutMs = 20_000,
  /** Overrides of the env above; an empty string leaves the service's default (loadConfig ignores empty values). */
  extraEnv: Record<string, string> = {},
  /** Node flags before the script, e.g. `--cpu-prof --cpu-prof-dir <dir>` (the profile is written when it exits). */
  nodeArgs: string[] = []
): Promise<SpawnedService> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(__dirname, '..', 'src', 'main.ts')], {
    cwd: path.join(__dirname, '..'),
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      JOBSCOPE_PREFIXES: prefix,
      JOBSCOPE_QUEUES: queues.join(','),
      JOBSCOPE_SNAPSHOT_TTL_MS: '0',
      JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
      JOBSCOPE_API_TOKEN: '',
      JOBSCOPE_READ_TOKEN: '',
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    await exited;
  };
  const listening = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('jobscope service listening')) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  // Keep draining its output so a full pipe never blocks the service.
  child.stdout?.resume();
  child.stderr?.resume();
  if (!listening) {
    await close();
    throw new Error(`service (src/main.ts) did not start: ${output.trim().slice(-1000) || 'no output'}`);
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, close };
}
