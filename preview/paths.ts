// Where things are, from this file's location (no absolute paths in tracked files).
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const PLUGIN_DIST = path.join(REPO_ROOT, 'grafana-plugin', 'dist');
export const HOST_SRC = path.join(__dirname, 'host');
export const HOST_OUT = path.join(__dirname, '.host-build');
export const SYSTEMJS_DIST = path.join(path.dirname(require.resolve('systemjs/package.json')), 'dist');
/** Grafana serves @grafana/ui's icons from public/build/img; the package ships them. */
export const GRAFANA_UI_IMG = path.join(path.dirname(require.resolve('@grafana/ui/package.json')), 'dist', 'public', 'img');
