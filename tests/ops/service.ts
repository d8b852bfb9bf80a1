import { API_PATHS } from '@jobscope/contract';
import { spawnService } from '../e2e/support/service-process';

/**
 * The service's real entry point with exactly the given environment (nothing inherited but PATH), ready once
 * `/readyz` answers 200 (which needs no token, so this also works with JOBSCOPE_READ_TOKEN set).
 */
export function startServiceProcess(env: Record<string, string>, logDir: string) {
  return spawnService({ PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, logDir, API_PATHS.readyz);
}
