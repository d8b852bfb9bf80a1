// The Grafana versions the preview host can stand for. Each is the same host source (host/) bundled against another
// set of shared modules: 13.2 from the repository's own node_modules (what the plugin builds against), 12.4 from
// host-12/ (its own package.json and lockfile, outside the npm workspaces: @grafana/* 12.4, React 18).
import fs from 'node:fs';
import path from 'node:path';

export type HostId = '13.2' | '12.4';

export const HOST_IDS: readonly HostId[] = ['13.2', '12.4'];

export interface HostSpec {
  id: HostId;
  /** Where the shared modules are resolved from (a folder with node_modules below it, or above it). */
  modulesDir: string;
  /** The lockfile that pins them: part of the bundle's freshness hash. */
  lockfile: string;
  /** Bundle output (git-ignored). */
  outDir: string;
  /** False when the host folder's packages are not installed (`npm ci --prefix preview/host-12`). */
  installed: boolean;
}

const REPO_ROOT = path.resolve(__dirname, '..');

const SPECS: Record<HostId, Omit<HostSpec, 'installed'>> = {
  '13.2': {
    id: '13.2',
    modulesDir: REPO_ROOT,
    lockfile: path.join(REPO_ROOT, 'package-lock.json'),
    outDir: path.join(__dirname, '.host-build'),
  },
  '12.4': {
    id: '12.4',
    modulesDir: path.join(__dirname, 'host-12'),
    lockfile: path.join(__dirname, 'host-12', 'package-lock.json'),
    outDir: path.join(__dirname, '.host-build-12'),
  },
};

export function isHostId(value: unknown): value is HostId {
  return typeof value === 'string' && (HOST_IDS as readonly string[]).includes(value);
}

/** The host of `id`, or of PREVIEW_GRAFANA (default 13.2). */
export function hostSpec(id: HostId | undefined = undefined): HostSpec {
  const wanted = id ?? process.env.PREVIEW_GRAFANA ?? '13.2';
  if (!isHostId(wanted)) {
    throw new Error(`unknown preview host ${JSON.stringify(wanted)} (PREVIEW_GRAFANA): one of ${HOST_IDS.join(', ')}`);
  }
  const spec = SPECS[wanted];
  return { ...spec, installed: fs.existsSync(path.join(spec.modulesDir, 'node_modules', '@grafana', 'runtime', 'package.json')) };
}

/** Resolves a package file the way the host bundle does (from the host's modules folder). */
export function resolveInHost(spec: HostSpec, request: string): string {
  return require.resolve(request, { paths: [spec.modulesDir] });
}

/** The Grafana version the host stands for: the one of the @grafana/runtime it bundles. */
export function grafanaVersion(spec: HostSpec): string {
  return (JSON.parse(fs.readFileSync(resolveInHost(spec, '@grafana/runtime/package.json'), 'utf8')) as { version: string }).version;
}

/** Grafana serves @grafana/ui's icons from public/build/img; each @grafana/ui ships its own. */
export function grafanaUiImg(spec: HostSpec): string {
  return path.join(path.dirname(resolveInHost(spec, '@grafana/ui/package.json')), 'dist', 'public', 'img');
}

export function assertInstalled(spec: HostSpec): void {
  if (!spec.installed) {
    throw new Error(
      `the Grafana ${spec.id} preview host's packages are not installed: run \`npm ci --prefix ${path.relative(REPO_ROOT, spec.modulesDir)}\``
    );
  }
}
