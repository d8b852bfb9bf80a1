import type Redis from 'ioredis';

/** Queue-level keys BullMQ 6.7.0 may create (`queue-keys.ts` plus metrics), deleted by name. */
const QUEUE_KEY_SUFFIXES = [
  '', 'active', 'wait', 'waiting-children', 'paused', 'id', 'delayed', 'prioritized', 'stalled-check', 'completed',
  'failed', 'stalled', 'repeat', 'limiter', 'meta', 'events', 'pc', 'marker', 'metrics:completed',
  'metrics:completed:data', 'metrics:failed', 'metrics:failed:data',
];
/** Per-job keys a Queue/Worker may create next to the hash. */
const JOB_KEY_SUFFIXES = ['', ':lock', ':logs', ':dependencies', ':processed', ':failed', ':unsuccessful'];

const UNLINK_BATCH = 1000;

/**
 * Every key the bench created, by name. Generated history only has hashes (ids 1..historyIds); ids above that were
 * made by real BullMQ calls and may have lock/log keys too.
 */
export class KeyLedger {
  private readonly queues = new Map<string, number>();
  private readonly extra = new Set<string>();

  constructor(readonly prefix: string) {}

  /** A queue whose ids 1..historyIds were written by the generator (0 when all ids came from BullMQ). */
  addQueue(name: string, historyIds = 0): void {
    this.queues.set(name, Math.max(historyIds, this.queues.get(name) ?? 0));
  }

  addKey(key: string): void {
    this.extra.add(key);
  }

  /** UNLINKs everything by name in pipelined batches; returns how many keys existed. */
  async deleteAll(redis: Redis): Promise<number> {
    let deleted = 0;
    let batch: string[] = [];
    let pipeline = redis.pipeline();
    let queued = 0;
    const flush = async (force: boolean) => {
      if (batch.length > 0) {
        pipeline.unlink(...batch);
        batch = [];
        queued++;
      }
      if (queued > 0 && (force || queued >= 20)) {
        const replies = (await pipeline.exec()) ?? [];
        for (const [err, n] of replies) {
          if (err) throw err;
          deleted += Number(n);
        }
        pipeline = redis.pipeline();
        queued = 0;
      }
    };
    const push = async (key: string) => {
      batch.push(key);
      if (batch.length >= UNLINK_BATCH) {
        await flush(false);
      }
    };
    for (const [queue, historyIds] of this.queues) {
      const base = `${this.prefix}:${queue}`;
      const lastId = Math.max(historyIds, Number((await redis.get(`${base}:id`)) ?? 0));
      for (let id = 1; id <= historyIds; id++) {
        await push(`${base}:${id}`);
      }
      for (let id = historyIds + 1; id <= lastId; id++) {
        for (const suffix of JOB_KEY_SUFFIXES) {
          await push(`${base}:${id}${suffix}`);
        }
      }
      for (const suffix of QUEUE_KEY_SUFFIXES) {
        await push(suffix ? `${base}:${suffix}` : base);
      }
    }
    for (const key of this.extra) {
      await push(key);
    }
    await flush(true);
    return deleted;
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Keys still under `<prefix>:` (SCAN limited to the bench's own prefix); used to prove the cleanup was complete. */
export async function keysUnderPrefix(redis: Redis, prefix: string, limit = 100_000): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0' && found.length < limit);
  return found;
}

export async function unlinkKeys(redis: Redis, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += UNLINK_BATCH) {
    await redis.unlink(...keys.slice(i, i + UNLINK_BATCH));
  }
}
