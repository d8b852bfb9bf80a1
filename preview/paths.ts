// Where things are, from this file's location (no absolute paths in tracked files).
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const PLUGIN_DIST = path.join(REPO_ROOT, 'grafana-plugin', 'dist');
export const HOST_SRC = path.join(__dirname, 'host');
export const SYSTEMJS_DIST = path.join(path.dirname(require.resolve('systemjs/package.json')), 'dist');
