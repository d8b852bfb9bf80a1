// The jobscope service through its real entry point (service/src/main.ts, or a test entry that wraps it, e.g.
// memory-service-main.ts), configured by environment variables.
import path from 'node:path';
import { API_PATHS } from '@jobscope/contract';
import { REPO_ROOT } from './paths';
import { freePort, waitUntil } from './net';
import { type Spawned, spawnLogged, tailOf } from './processes';

export interface ServiceProcess {
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

/** The service's own entry point, relative to the repository root. */
export const SERVICE_MAIN = path.join('service', 'src', 'main.ts');

export interface ServiceOptions {
  redisUrl: string;
  /** JOBSCOPE_PREFIXES: one prefix, or several (e.g. two queues of the same name under two prefixes). */
  prefix: string | string[];
  apiToken: string;
  logDir: string;
  queues?: string[];
  extraEnv?: Record<string, string>;
  /** Entry file to run instead of service/src/main.ts (relative to the repository root, or absolute). */
  entry?: string;
}

/** Defaults for the browser tests: the stack's prefix, token and queues, a 1 s cache, and discovery every second. */
export function startService(opts: ServiceOptions): Promise<ServiceProcess> {
  return spawnService(
    {
      ...process.env,
      NODE_ENV: 'production',
      REDIS_URL: opts.redisUrl,
      JOBSCOPE_PREFIXES: typeof opts.prefix === 'string' ? opts.prefix : opts.prefix.join(','),
      JOBSCOPE_API_TOKEN: opts.apiToken,
      JOBSCOPE_SNAPSHOT_TTL_MS: '1000',
      // Tests create queues after the service started; find them within a second instead of the default minute.
      JOBSCOPE_DISCOVERY_INTERVAL_MS: '1000',
      ...(opts.queues ? { JOBSCOPE_QUEUES: opts.queues.join(',') } : {}),
      ...(opts.extraEnv ?? {}),
    },
    opts.logDir,
    // Ready for these tests = it answers the status the plugin polls.
    API_PATHS.status,
    opts.entry
  );
}

/**
 * The service's real entry point (or `entry`, a file that starts it) with exactly `env` (plus a free port on
 * loopback), ready once `readyPath` answers 2xx; fails with the tail of its log when it does not, or when it exits
 * first.
 */
export async function spawnService(
  env: NodeJS.ProcessEnv,
  logDir: string,
  readyPath: string,
  entry: string = SERVICE_MAIN
): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(logDir, `service-${port}.log`);
  // `node --import tsx` is what `npx tsx` runs, minus the npx and tsx wrapper processes.
  const proc: Spawned = spawnLogged(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { LOG_LEVEL: 'warn', ...env, HOST: '127.0.0.1', PORT: String(port) },
    logFile,
  });
  const exitedEarly = proc.exited.then((code) => {
    throw new Error(`service exited with ${code}`);
  });
  try {
    await Promise.race([
      waitUntil(`the service at ${url}${readyPath}`, async () => (await fetch(`${url}${readyPath}`)).ok, 30_000, 150),
      exitedEarly,
    ]);
  } catch (e) {
    await proc.stop();
    throw new Error(`service did not become ready (${(e as Error).message}):\n${tailOf(logFile)}`);
  }
  exitedEarly.catch(() => undefined); // a later exit is reported by the tests that need the service
  return { url, logFile, stop: () => proc.stop() };
}
