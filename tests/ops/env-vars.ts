import { existsSync, readFileSync } from 'node:fs';
import { repoPath, listFiles } from './repo';

/** What the service's brief promises it reads; config.ts may add more (all of them are picked up below). */
export const DOCUMENTED_SERVICE_ENV = [
  'REDIS_URL', 'HOST', 'PORT', 'JOBSCOPE_PREFIXES', 'JOBSCOPE_QUEUES', 'JOBSCOPE_API_TOKEN', 'JOBSCOPE_READ_TOKEN', 'LOG_LEVEL',
];

/**
 * Environment variables a folder's TypeScript reads: `process.env.X` anywhere, plus the keys of the zod `EnvSchema`
 * object in config.ts (the service validates its whole environment there). Read from source, so a variable the
 * service starts reading cannot be forgotten in compose and docs.
 */
export function envVarsReadBy(relDir: string): string[] {
  const vars = new Set<string>();
  for (const file of listFiles(relDir, /\.ts$/).filter((f) => !f.endsWith('.test.ts'))) {
    const src = readFileSync(repoPath(file), 'utf8');
    for (const m of src.matchAll(/process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g)) {
      vars.add(m[1] ?? m[2]);
    }
    const schema = /const EnvSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(src);
    if (schema) {
      for (const m of schema[1].matchAll(/^\s{2}([A-Z][A-Z0-9_]*):/gm)) {
        vars.add(m[1]);
      }
    }
  }
  return [...vars].sort();
}

export const hasFolder = (rel: string) => existsSync(repoPath(rel));
