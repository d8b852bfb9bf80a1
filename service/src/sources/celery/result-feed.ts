import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import { CeleryKeys } from './keys';
import { CELERY_READY_STATES, nativeOfBackendState } from './native-states';
import { parseCeleryTime } from './protocol';
import { ResultIndex, type IndexedResult } from './result-index';

/** A `celery-task-meta-<id>` value as the Redis result backend writes it (`result_extended` adds name…queue). */
export interface CeleryMeta {
  status: string;
  result?: unknown;
  traceback?: string | null;
  date_done?: string | null;
  task_id?: string;
  name?: string | null;
  args?: unknown;
  kwargs?: unknown;
  worker?: string | null;
  retries?: number | null;
  queue?: string | null;
  parent_id?: string | null;
  children?: unknown;
}

export function parseMeta(raw: string | null): CeleryMeta | null {
  if (raw === null) {
    return null;
  }
  try {
    const m = JSON.parse(raw) as CeleryMeta;
    return m && typeof m === 'object' && typeof m.status === 'string' ? m : null;
  } catch {
    return null; // a non-JSON result serializer
  }
}

const RETRY_MS = 1000;

/** Resolves once the client is connected (commands fail fast while it is not: no offline queue). */
function connected(client: Redis, timeoutMs = 5000): Promise<void> {
  if (client.status === 'ready') {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('Redis not connected'));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

export interface ResultFeedOptions {
  defaultQueue: string;
  /** Keys per SCAN/MGET batch of the bootstrap, and the pause between batches (bounds its load on Redis). */
  batch: number;
  pauseMs: number;
  logger: Logger;
  /** Called for each live result write of a finished task. */
  onFinished?(id: string): void;
}

/**
 * Keeps the ResultIndex current: the Redis result backend PUBLISHes every state write on a channel named after the
 * key, so a PSUBSCRIBE sees each result as it is written (no `-E` needed). That channel is not db-scoped, so each
 * new id is checked to exist in our database (one pipelined EXISTS per batch). At start, and again whenever the
 * connection comes back (messages sent meanwhile are lost), a background SCAN + MGET fills in what was missed; it
 * runs off the request path, in batches with pauses.
 */
export class ResultFeed {
  private bootstrapping: Promise<void> | null = null;
  private toVerify = new Set<string>();
  private verifyTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private disconnected = false;
  /** When the last bootstrap finished, and how long it took (for health and the benchmark). */
  lastBootstrap: { atMs: number; durationMs: number; results: number } | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    readonly index: ResultIndex,
    private readonly opts: ResultFeedOptions
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => this.onMessage(channel, message));
    this.subscriber.on('close', () => {
      this.disconnected = true;
    });
    this.subscriber.on('ready', () => {
      if (this.disconnected) {
        this.disconnected = false;
        this.startBootstrap();
      }
    });
    // ioredis re-subscribes after a reconnect on its own.
    await this.subscriber.psubscribe(CeleryKeys.metaPattern()).catch((err: Error) => {
      this.opts.logger.warn({ err: err.message }, 'celery: result channel not subscribed yet; retrying on reconnect');
    });
    this.startBootstrap();
  }

  /** The running (or last) bootstrap; resolves when it has read every stored result once. */
  ready(): Promise<void> {
    return this.bootstrapping ?? Promise.resolve();
  }

  close(): void {
    this.closed = true;
    if (this.verifyTimer) {
      clearTimeout(this.verifyTimer);
    }
  }

  toEntry(id: string, meta: CeleryMeta, now: number): Omit<IndexedResult, 'seq'> {
    return {
      id,
      native: nativeOfBackendState(meta.status),
      ms: parseCeleryTime(meta.date_done) ?? now,
      queue: typeof meta.queue === 'string' && meta.queue ? meta.queue : this.opts.defaultQueue,
      name: typeof meta.name === 'string' ? meta.name : null,
    };
  }

  private onMessage(channel: string, message: string): void {
    const id = CeleryKeys.taskIdOfMeta(channel);
    const meta = parseMeta(message);
    if (!id || !meta) {
      return;
    }
    const known = this.index.get(id) !== undefined;
    this.index.put(this.toEntry(id, meta, Date.now()));
    if (CELERY_READY_STATES.has(meta.status)) {
      this.opts.onFinished?.(id);
    }
    if (!known) {
      this.verifySoon(id);
    }
  }

  /** Results of other databases on the same server arrive on the same channel: keep only ids stored in ours. */
  private verifySoon(id: string): void {
    this.toVerify.add(id);
    if (this.verifyTimer || this.closed) {
      return;
    }
    this.verifyTimer = setTimeout(() => {
      this.verifyTimer = null;
      const ids = [...this.toVerify];
      this.toVerify = new Set();
      const pipeline = this.redis.pipeline();
      for (const i of ids) {
        pipeline.exists(CeleryKeys.meta(i));
      }
      pipeline
        .exec()
        .then((replies) => {
          replies?.forEach(([err, exists], k) => {
            if (!err && exists === 0) {
              this.index.delete(ids[k]);
            }
          });
        })
        .catch(() => undefined);
    }, 200);
    this.verifyTimer.unref();
  }

  private startBootstrap(): void {
    if (this.closed) {
      return;
    }
    const previous = this.bootstrapping ?? Promise.resolve();
    this.bootstrapping = previous
      .then(() => this.bootstrap())
      .catch((err: Error) => {
        this.opts.logger.warn({ err: err.message }, 'celery: reading stored results failed; retrying');
        if (!this.closed) {
          setTimeout(() => this.startBootstrap(), RETRY_MS).unref();
        }
      });
  }

  private async bootstrap(): Promise<void> {
    await connected(this.redis);
    const started = Date.now();
    const startSeq = this.index.nextSeq();
    const seen = new Set<string>();
    let cursor = '0';
    let results = 0;
    do {
      if (this.closed) {
        return;
      }
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', CeleryKeys.metaPattern(), 'COUNT', this.opts.batch);
      cursor = next;
      if (keys.length > 0) {
        const seq = this.index.nextSeq();
        const values = await this.redis.mget(...keys);
        const now = Date.now();
        const entries: Array<Omit<IndexedResult, 'seq'>> = [];
        values.forEach((raw, k) => {
          const id = CeleryKeys.taskIdOfMeta(keys[k]);
          const meta = parseMeta(raw);
          if (id && meta) {
            seen.add(id);
            entries.push(this.toEntry(id, meta, now));
          }
        });
        results += entries.length;
        this.index.bulkLoad(entries, seq);
      }
      if (this.opts.pauseMs > 0) {
        await new Promise((r) => setTimeout(r, this.opts.pauseMs));
      }
    } while (cursor !== '0');
    // Gone from Redis meanwhile (expired, deleted, or Redis came back empty) and not written since: drop.
    this.index.dropUnseen(seen, startSeq);
    this.lastBootstrap = { atMs: Date.now(), durationMs: Date.now() - started, results };
    this.opts.logger.info({ results, ms: this.lastBootstrap.durationMs }, 'celery: stored results indexed');
  }
}
