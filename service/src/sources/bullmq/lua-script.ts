import fs from 'node:fs';
import path from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { isCluster, type RedisClient } from '../../redis/topology';

/** `--- @include "name"` on a line of its own (as in BullMQ's scripts): replaced by `includes/name.lua`. */
const INCLUDE_LINE = /^[ \t]*---[ \t]*@include[ \t]+"([^"]*)"[ \t\r]*$/;
/** Anything that looks like an include directive, to reject malformed ones instead of leaving them as comments. */
const INCLUDE_LIKE = /^[ \t]*---[ \t]*@include\b/;
const FRAGMENT_NAME = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
const FLAGS_LINE = /^#!lua[^\n]*\n/;
const INCLUDES_DIR = 'includes';

/**
 * Reads `file` (relative to `baseDir`) and replaces every `--- @include "name"` line by the contents of
 * `<baseDir>/includes/name.lua`, recursively. Each fragment is included at most once per script (the first include
 * wins; later ones are dropped), so fragments may include what they need. Throws, naming the script, on a missing or
 * invalid fragment, an include cycle, or a fragment with a `#!lua` line (only the script's first line may carry it).
 */
export function assembleLuaScript(file: string, baseDir: string = __dirname): string {
  const included = new Set<string>();

  const expand = (source: string, from: string, stack: string[]): string => {
    const out: string[] = [];
    for (const line of source.split('\n')) {
      const m = INCLUDE_LINE.exec(line);
      if (!m) {
        if (INCLUDE_LIKE.test(line)) {
          throw new Error(`Lua script ${file}: malformed include in ${from}: ${line.trim()} (expected --- @include "name")`);
        }
        out.push(line);
        continue;
      }
      const name = m[1];
      if (!FRAGMENT_NAME.test(name)) {
        throw new Error(`Lua script ${file}: invalid fragment name "${name}" in ${from}`);
      }
      if (stack.includes(name)) {
        throw new Error(`Lua script ${file}: include cycle ${[...stack, name].join(' -> ')}`);
      }
      if (included.has(name)) {
        continue;
      }
      const fragmentFile = path.join(INCLUDES_DIR, `${name}.lua`);
      let text: string;
      try {
        text = fs.readFileSync(path.join(baseDir, fragmentFile), 'utf8');
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(err);
        throw new Error(`Lua script ${file}: included fragment "${name}" (${fragmentFile}, from ${from}) ${reason}`);
      }
      if (/^#!lua/m.test(text)) {
        throw new Error(`Lua script ${file}: fragment ${fragmentFile} must not contain a #!lua line`);
      }
      included.add(name);
      out.push(expand(text.replace(/\n$/, ''), fragmentFile, [...stack, name]));
    }
    return out.join('\n');
  };

  const source = fs.readFileSync(path.join(baseDir, file), 'utf8');
  const flags = FLAGS_LINE.exec(source)?.[0] ?? '';
  const body = source.slice(flags.length);
  if (/^#!lua/m.test(body)) {
    throw new Error(`Lua script ${file}: a #!lua line is only allowed as the first line`);
  }
  return flags + expand(body, file, []);
}

/**
 * A read-only Lua script kept as a `.lua` file beside this code and registered on the client as a command (ioredis
 * runs EVALSHA and falls back to EVAL on NOSCRIPT). Shared parts live in `includes/*.lua` and are pulled in with
 * `--- @include "name"` when the script is loaded (see assembleLuaScript). The file starts with
 * `#!lua flags=no-writes`, which Redis 7 needs to allow the script on replicas; Redis < 7 does not know script flags,
 * so there it is sent without that line.
 */
export class LuaScript<Reply> {
  private readonly withFlags: string;
  private readonly plain: string;

  constructor(
    private readonly command: string,
    file: string
  ) {
    this.withFlags = assembleLuaScript(file);
    this.plain = this.withFlags.replace(FLAGS_LINE, '');
  }

  /** The assembled script, includes expanded, as sent to Redis 7+ (with its `#!lua` flags line). */
  get source(): string {
    return this.withFlags;
  }

  define(client: RedisClient, redisMajorVersion: number): void {
    client.defineCommand(this.command, { lua: redisMajorVersion >= 7 ? this.withFlags : this.plain });
  }

  run(client: RedisClient, keys: string[], args: Array<string | number>): Promise<Reply> {
    const command = (client as unknown as Record<string, (...a: unknown[]) => Promise<Reply>>)[this.command];
    if (typeof command !== 'function') {
      throw new Error(`script ${this.command} is not defined on this client`);
    }
    const declared = isCluster(client) ? withMigrationGuard(keys) : keys;
    return command.call(client, declared.length, ...declared, ...args);
  }
}

/**
 * On a Cluster, `keys` (queue key prefixes, which never exist themselves) plus the first one without its trailing ":"
 * (which never exists either, in the same slot). While a slot migrates, Redis sends a call whose declared keys are all
 * missing to the importing master (ASK), which runs a one-key call on whatever keys have arrived so far: wrong counts,
 * jobs missing. With two declared keys it answers TRYAGAIN instead (ioredis retries; past the node deadline the
 * queues are served stale). Scripts skip that last key (includes/queue-keys.lua).
 */
function withMigrationGuard(keys: string[]): string[] {
  const guard = keys[0]?.endsWith(':') ? keys[0].slice(0, -1) : null;
  return guard !== null && calculateSlot(guard) === calculateSlot(keys[0]) ? [...keys, guard] : keys;
}
