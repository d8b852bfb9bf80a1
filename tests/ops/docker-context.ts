import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, readText } from './repo';

/**
 * Enough of Docker's build-context rules to rebuild service/Dockerfile's file layout without Docker:
 * .dockerignore patterns (`*`, `**`, `?`, `!` exceptions, last match wins, a matched directory excludes its
 * contents) and the Dockerfile's WORKDIR/COPY/RUN/ENV/CMD lines.
 */
interface Rule {
  negate: boolean;
  re: RegExp;
  raw: string;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
      if (glob[i] === '/') re += '(?:/)?';
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

export function dockerignoreRules(text: string): Rule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      return { negate, re: globToRegExp(pattern), raw: l };
    });
}

/** Whether a context-relative path is excluded: the path itself or any parent matched, last rule wins. */
export function isIgnored(rules: Rule[], rel: string): boolean {
  const parts = rel.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (rule.negate ? rule.re.test(rel) : candidates.some((c) => rule.re.test(c))) {
      ignored = !rule.negate;
    }
  }
  return ignored;
}

/** Files Docker would send as the build context of the repository root. */
export function contextFiles(rules: Rule[]): Set<string> {
  const files = new Set<string>();
  const exceptions = rules.filter((r) => r.negate).map((r) => r.raw.slice(1));
  const walk = (rel: string) => {
    for (const name of readdirSync(join(REPO_ROOT, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      if (child === '.git') continue;
      const isDir = statSync(join(REPO_ROOT, child)).isDirectory();
      if (isDir) {
        // An excluded directory is only entered when an exception could re-include something inside it.
        if (isIgnored(rules, child) && !exceptions.some((e) => e.startsWith(`${child}/`))) continue;
        walk(child);
      } else if (!isIgnored(rules, child)) {
        files.add(child);
      }
    }
  };
  walk('');
  return files;
}

export interface Dockerfile {
  workdir: string;
  copies: Array<{ sources: string[]; dest: string }>;
  runs: string[];
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
}

export function parseDockerfile(rel: string): Dockerfile {
  const lines = readText(rel)
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Dockerfile = { workdir: '/', copies: [], runs: [], env: {}, cmd: [], healthcheck: [] };
  for (const line of lines) {
    const [instr, ...rest] = line.split(/\s+/);
    const args = line.slice(instr.length).trim();
    switch (instr.toUpperCase()) {
      case 'WORKDIR':
        out.workdir = args;
        break;
      case 'COPY':
        out.copies.push({ sources: rest.slice(0, -1), dest: rest[rest.length - 1] });
        break;
      case 'RUN':
        out.runs.push(args);
        break;
      case 'ENV':
        for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) out.env[m[1]] = m[2].replace(/^"|"$/g, '');
        break;
      case 'CMD':
        out.cmd = JSON.parse(args) as string[];
        break;
      case 'HEALTHCHECK':
        out.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
        break;
    }
  }
  return out;
}

/** Lays out the image's WORKDIR as the Dockerfile's COPY lines would, from the filtered context. */
export function copyIntoImage(df: Dockerfile, context: Set<string>, imageDir: string): void {
  for (const { sources, dest } of df.copies) {
    for (const src of sources) {
      const s = src.replace(/\/$/, '');
      const matched = [...context].filter((f) => f === s || f.startsWith(`${s}/`));
      if (matched.length === 0) {
        throw new Error(`COPY ${src}: nothing in the build context (missing, or excluded by .dockerignore)`);
      }
      for (const f of matched) {
        const target = dest.endsWith('/')
          ? join(imageDir, dest, f === s ? f.split('/').pop() as string : f.slice(s.length + 1))
          : join(imageDir, dest);
        mkdirSync(dirname(target), { recursive: true });
        cpSync(join(REPO_ROOT, f), target);
      }
    }
  }
  if (!existsSync(imageDir)) throw new Error('empty image');
}
