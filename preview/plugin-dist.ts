// The exact grafana-plugin/dist Grafana would load; built here only when it is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PLUGIN_DIST, REPO_ROOT } from './paths';
import type { PluginRoleRegistration } from './rbac';

export interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  reqRole?: string;
  reqAction?: string;
  headers?: Array<{ name: string; content: string }>;
  body?: unknown;
  urlParams?: unknown;
  tokenAuth?: unknown;
  jwtTokenAuth?: unknown;
}

export interface PluginJson {
  id: string;
  type: string;
  name: string;
  routes?: PluginRoute[];
  includes?: Array<{ type: string; name?: string; path?: string; role?: string; action?: string }>;
  roles?: PluginRoleRegistration[];
  [key: string]: unknown;
}

const REQUIRED = ['module.js', 'plugin.json'];

function missingFiles(dir: string): string[] {
  return REQUIRED.filter((f) => !fs.existsSync(path.join(dir, f)));
}

/** Builds the plugin when dist/ is absent; fails with a clear message when it still is. */
export function ensurePluginDist(dir: string = PLUGIN_DIST, build = true): void {
  if (missingFiles(dir).length === 0) {
    return;
  }
  if (!build) {
    throw new Error(`grafana-plugin/dist is not built (missing ${missingFiles(dir).join(', ')}): run \`npm run build\` first`);
  }
  console.log(`[e2e] ${path.relative(REPO_ROOT, dir)} is missing ${missingFiles(dir).join(', ')}: running npm run build -w grafana-plugin`);
  const r = spawnSync('npm', ['run', 'build', '-w', 'grafana-plugin'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const still = missingFiles(dir);
  if (r.status !== 0 || still.length > 0) {
    throw new Error(
      `grafana-plugin/dist is not built (missing ${still.join(', ') || 'nothing'}, build exit ${r.status}). ` +
        'Run `npm run build -w grafana-plugin` and look at its errors.'
    );
  }
}

export function readPluginJson(dir: string = PLUGIN_DIST): PluginJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8')) as PluginJson;
}
