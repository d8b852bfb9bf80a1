// Installs each preview host's own packages (preview/host-12: Grafana 12.4's shared modules) when they are missing or
// older than the host's lockfile, so `npm test` works on a fresh clone. `.ci/run` installs them up front the same way.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HOST_IDS, hostSpec } from './hosts';

for (const id of HOST_IDS) {
  const spec = hostSpec(id);
  if (spec.modulesDir === path.resolve(__dirname, '..')) {
    continue; // the workspace root's own node_modules (npm ci at the root)
  }
  const installedLock = path.join(spec.modulesDir, 'node_modules', '.package-lock.json');
  const fresh = spec.installed && fs.existsSync(installedLock) && fs.statSync(installedLock).mtimeMs >= fs.statSync(spec.lockfile).mtimeMs;
  if (!fresh) {
    console.log(`preview: installing the Grafana ${id} host's packages (npm ci --prefix ${path.relative(process.cwd(), spec.modulesDir)})`);
    execFileSync('npm', ['ci', '--prefix', spec.modulesDir, '--no-audit', '--no-fund', '--loglevel', 'error'], { stdio: 'inherit' });
  }
}
