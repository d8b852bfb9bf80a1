import { join } from 'node:path';
import { API_PATHS } from '@jobscope/contract';
import { freePort, waitUntil } from '../e2e/support/net';
import { spawnLogged, tailOf } from '../e2e/support/processes';
import { REPO_ROOT } from './repo';

/**
 * The service's real entry point with exactly the given environment, ready once `/readyz` answers 200
 * (which needs no token, so this also works with JOBSCOPE_READ_TOKEN set).
 */
export async function startServiceProcess(env: Record<string, string>, logDir: string) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(logDir, `service-${port}.log`);
  const proc = spawnLogged(process.execPath, ['--import', 'tsx', join('service', 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    logFile,
  });
  try {
    await waitUntil(`${url}${API_PATHS.readyz}`, async () => (await fetch(`${url}${API_PATHS.readyz}`)).ok, 30_000, 150);
  } catch (e) {
    await proc.stop();
    throw new Error(`${(e as Error).message}\n${tailOf(logFile)}`);
  }
  return { url, stop: () => proc.stop() };
}
