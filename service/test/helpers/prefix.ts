import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** A key prefix no other test (or another run of this one) uses, so tests can share one Redis. */
export function testPrefix(label: string): string {
  return `jobscope-test-${label}-${randomBytes(4).toString('hex')}`;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Every key under `<prefix>:`, sorted. SCAN, so only for test set-up and checks. */
export async function keysWithPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000);
    cursor = next;
    batch.forEach((k) => keys.add(k));
  } while (cursor !== '0');
  return [...keys].sort();
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysWithPrefix(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) {
    await redis.unlink(...keys.slice(i, i + 500));
  }
  return keys.length;
}

/** One key's type and content in a stable text form (hash fields and set members sorted). */
async function dumpKey(redis: Redis, key: string): Promise<string> {
  const type = await redis.type(key);
  let content: unknown;
  switch (type) {
    case 'string':
      content = await redis.get(key);
      break;
    case 'list':
      content = await redis.lrange(key, 0, -1);
      break;
    case 'hash':
      content = Object.entries(await redis.hgetall(key)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      break;
    case 'set':
      content = (await redis.smembers(key)).sort();
      break;
    case 'zset':
      content = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      break;
    case 'stream':
      content = await redis.xrange(key, '-', '+');
      break;
    default:
      content = null;
  }
  const hasTtl = (await redis.pttl(key)) >= 0;
  return JSON.stringify([key, type, hasTtl, content]);
}

export interface KeyspaceDigest {
  keys: number;
  sha256: string;
  /** Per key digest, to name what changed when the total differs. */
  perKey: Map<string, string>;
}

/** All keys under the prefix with their values, hashed: equal digests mean nothing under the prefix changed. */
export async function keyspaceDigest(redis: Redis, prefix: string): Promise<KeyspaceDigest> {
  const perKey = new Map<string, string>();
  const total = createHash('sha256');
  for (const key of await keysWithPrefix(redis, prefix)) {
    const text = await dumpKey(redis, key);
    perKey.set(key, createHash('sha256').update(text).digest('hex'));
    total.update(text).update('\n');
  }
  return { keys: perKey.size, sha256: total.digest('hex'), perKey };
}

/** Keys whose digest differs between two snapshots (added, removed or changed). */
export function changedKeys(before: KeyspaceDigest, after: KeyspaceDigest): string[] {
  const all = new Set([...before.perKey.keys(), ...after.perKey.keys()]);
  return [...all].filter((k) => before.perKey.get(k) !== after.perKey.get(k)).sort();
}
