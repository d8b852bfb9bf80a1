import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

/** Repository root (tests/ops -> ../..). */
export const REPO_ROOT = join(__dirname, '..', '..');

export const repoPath = (...parts: string[]) => join(REPO_ROOT, ...parts);

export function readText(rel: string): string {
  return readFileSync(repoPath(rel), 'utf8');
}

/** Parses YAML strictly: duplicate keys and syntax errors throw, naming the file. */
export function readYaml<T = unknown>(rel: string): T {
  try {
    return parse(readText(rel), { uniqueKeys: true, prettyErrors: true, merge: true }) as T;
  } catch (e) {
    throw new Error(`${rel}: ${(e as Error).message}`);
  }
}

export function readJson<T = unknown>(rel: string): T {
  return JSON.parse(readText(rel)) as T;
}

/** Files under a repo folder (relative paths, sorted) whose name matches. */
export function listFiles(relDir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      const p = join(abs, name);
      if (statSync(p).isDirectory()) {
        walk(p);
      } else if (pattern.test(name)) {
        out.push(relative(REPO_ROOT, p));
      }
    }
  };
  if (existsSync(repoPath(relDir))) {
    walk(repoPath(relDir));
  }
  return out.sort();
}

export const PROVISIONED_PROMETHEUS_UID = (() => {
  const ds = readYaml<{ datasources: Array<{ type: string; uid: string }> }>('provisioning/datasources/prometheus.yaml');
  const prom = ds.datasources.find((d) => d.type === 'prometheus');
  if (!prom) {
    throw new Error('provisioning/datasources/prometheus.yaml has no prometheus datasource');
  }
  return prom.uid;
})();

/** The one dashboard source (bundled in the plugin, mounted for the file provider). */
export const DASHBOARD_DIR = 'grafana-plugin/src/dashboards';
