import fs from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';

/**
 * A read-only Lua script kept as a `.lua` file beside this code and registered on the client as a command (ioredis
 * runs EVALSHA and falls back to EVAL on NOSCRIPT). The file starts with `#!lua flags=no-writes`, which Redis 7 needs
 * to allow the script on replicas; Redis < 7 does not know script flags, so there it is sent without that line.
 */
export class LuaScript<Reply> {
  private readonly withFlags: string;
  private readonly plain: string;

  constructor(
    private readonly command: string,
    file: string
  ) {
    this.withFlags = fs.readFileSync(path.join(__dirname, file), 'utf8');
    this.plain = this.withFlags.replace(/^#!lua[^\n]*\n/, '');
  }

  define(client: Redis, redisMajorVersion: number): void {
    client.defineCommand(this.command, { lua: redisMajorVersion >= 7 ? this.withFlags : this.plain });
  }

  run(client: Redis, keys: string[], args: Array<string | number>): Promise<Reply> {
    const command = (client as unknown as Record<string, (...a: unknown[]) => Promise<Reply>>)[this.command];
    if (typeof command !== 'function') {
      throw new Error(`script ${this.command} is not defined on this client`);
    }
    return command.call(client, keys.length, ...keys, ...args);
  }
}
