// Where the browser tests keep things, from this file's location (no absolute paths in tracked files).
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'e2e', 'artifacts');
