// Bundles preview/host with esbuild when the bundle is missing or older than its inputs (sources, lockfile), once per
// Grafana version the host stands for (hosts.ts): the same sources against that version's shared modules.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'esbuild';
import { type HostSpec, assertInstalled, hostSpec } from './hosts';
import { HOST_SRC } from './paths';

const BUILD_OPTIONS_VERSION = 2; // bump when the options below change

/** Bare imports that a host maps to another package, as that Grafana's sharedDependencies.ts does. */
const HOST_ALIASES: Record<string, Record<string, string>> = {
  // Grafana 12 exposes react-router-dom-v5-compat (which re-exports react-router v6) as 'react-router'.
  '12.4': { 'react-router': 'react-router-dom-v5-compat' },
};

/**
 * Where the bundle of `spec` goes: React's production build by default (as Grafana ships), or its development build
 * (`dev`), which prints React's warnings (unknown DOM props, legacy APIs, missing keys) to the console.
 */
export function hostBundleDir(spec: HostSpec, dev = false): string {
  return dev ? `${spec.outDir}-dev` : spec.outDir;
}

function inputsHash(spec: HostSpec, dev: boolean): string {
  const hash = createHash('sha256');
  hash.update(`options-v${BUILD_OPTIONS_VERSION}-${spec.id}-${dev ? 'development' : 'production'}`);
  for (const file of fs.readdirSync(HOST_SRC).filter((f) => f.endsWith('.tsx')).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(HOST_SRC, file)));
  }
  // Package versions decide what the shared modules are.
  hash.update(fs.readFileSync(spec.lockfile));
  return hash.digest('hex');
}

function isFresh(outDir: string, hash: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(outDir, 'stamp.json'), 'utf8')) as { hash?: string };
    return stamp.hash === hash && fs.existsSync(path.join(outDir, 'host.js'));
  } catch {
    return false;
  }
}

/**
 * Resolves the host sources' bare imports from the host's own modules folder (host-12/node_modules for 12.4), so the
 * shared modules are that version's packages; their own imports then resolve beside them.
 */
function sharedModulesFrom(spec: HostSpec): Plugin {
  const aliases = HOST_ALIASES[spec.id] ?? {};
  return {
    name: 'jobscope-host-modules',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'jobscope-host-modules' || !args.importer.startsWith(HOST_SRC + path.sep)) {
          return undefined;
        }
        const request = aliases[args.path] ?? args.path;
        const result = await build.resolve(request, { kind: args.kind, resolveDir: spec.modulesDir, pluginData: 'jobscope-host-modules' });
        return result.errors.length > 0 ? { errors: result.errors } : { path: result.path, sideEffects: result.sideEffects };
      });
    },
  };
}

export async function ensureHostBundle(spec: HostSpec = hostSpec(), dev = false): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  assertInstalled(spec);
  const outDir = hostBundleDir(spec, dev);
  const hash = inputsHash(spec, dev);
  if (isFresh(outDir, hash)) {
    return { built: false, ms: Date.now() - started };
  }
  const esbuild = await import('esbuild');
  // Build next to the output and swap it in, so a concurrent reader never sees a half-written bundle.
  const tmp = `${outDir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { host: path.join(HOST_SRC, 'main.tsx') },
    outdir: tmp,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: !dev,
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"', global: 'globalThis' },
    loader: { '.svg': 'text', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.png': 'file' },
    plugins: [sharedModulesFrom(spec)],
  });
  await esbuild.stop();
  fs.writeFileSync(path.join(tmp, 'stamp.json'), JSON.stringify({ hash, grafana: spec.id, dev, builtAt: new Date().toISOString() }));
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.renameSync(tmp, outDir);
  return { built: true, ms: Date.now() - started };
}
