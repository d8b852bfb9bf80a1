// Bundles preview/host with esbuild when the bundle is missing or older than its inputs (sources, lockfile).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HOST_OUT, HOST_SRC, REPO_ROOT } from './paths';

const STAMP = path.join(HOST_OUT, 'stamp.json');
const BUILD_OPTIONS_VERSION = 1; // bump when the options below change

function inputsHash(): string {
  const hash = createHash('sha256');
  hash.update(`options-v${BUILD_OPTIONS_VERSION}`);
  for (const file of fs.readdirSync(HOST_SRC).filter((f) => f.endsWith('.tsx')).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(HOST_SRC, file)));
  }
  // Package versions decide what the shared modules are.
  hash.update(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json')));
  return hash.digest('hex');
}

function isFresh(hash: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(STAMP, 'utf8')) as { hash?: string };
    return stamp.hash === hash && fs.existsSync(path.join(HOST_OUT, 'host.js'));
  } catch {
    return false;
  }
}

export async function ensureHostBundle(): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const hash = inputsHash();
  if (isFresh(hash)) {
    return { built: false, ms: Date.now() - started };
  }
  const esbuild = await import('esbuild');
  // Build next to the output and swap it in, so a concurrent reader never sees a half-written bundle.
  const tmp = `${HOST_OUT}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { host: path.join(HOST_SRC, 'main.tsx') },
    outdir: tmp,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'text', '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.png': 'file' },
  });
  await esbuild.stop();
  fs.writeFileSync(path.join(tmp, 'stamp.json'), JSON.stringify({ hash, builtAt: new Date().toISOString() }));
  fs.rmSync(HOST_OUT, { recursive: true, force: true });
  fs.renameSync(tmp, HOST_OUT);
  return { built: true, ms: Date.now() - started };
}
