import type Redis from 'ioredis';
import { masterNodes, pipelineByNode, type RedisClient } from '../../redis/topology';
import type { Logger } from '../../logger';
import { queueId as key } from './queue-set';
import { isBullMQQueueName } from './native-states';

export interface DiscoveredQueue {
  prefix: string;
  name: string;
  /** `meta.version`, e.g. `bullmq:6.7.0`, when the producer wrote it. */
  version: string | null;
}

/**
 * Knows which queues exist. BullMQ has no registry, so it SCANs each prefix for `<prefix>:<queue>:id` / `:meta` keys —
 * in the background, never on a request path (SCAN is O(all keys)). With an explicit queue list there is no SCAN.
 */
export class QueueRegistry {
  private queues = new Map<string, DiscoveredQueue>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private succeededOnce = false;
  private stopped = false;
  private firstAttempt: Promise<void> = Promise.resolve();
  private sorted: DiscoveredQueue[] | null = null;
  /** Worker-hinted queues found to have no keys, not checked again until the next discovery. */
  private absent = new Set<string>();

  constructor(
    private readonly client: RedisClient,
    private readonly opts: {
      prefixes: string[];
      explicitQueues: string[] | null;
      intervalMs: number;
      logger: Logger;
    }
  ) {
    for (const name of opts.explicitQueues ?? []) {
      for (const prefix of opts.prefixes) {
        this.add({ prefix, name, version: null });
      }
    }
  }

  /** Sorted by prefix, then name: the snapshot's tie-break order. Rebuilt only when the set changes. */
  list(): DiscoveredQueue[] {
    this.sorted ??= [...this.queues.values()].sort((a, b) =>
      a.prefix === b.prefix ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.prefix < b.prefix ? -1 : 1
    );
    return this.sorted;
  }

  /** Resolves once the first discovery has finished (or failed), so the first request does not see an empty list. */
  ready(): Promise<void> {
    return this.firstAttempt;
  }

  /** False until discovery has read Redis once (or queues are configured): before that, "unknown queue" is a guess. */
  isKnown(): boolean {
    return this.succeededOnce || this.opts.explicitQueues !== null;
  }

  add(queue: DiscoveredQueue): void {
    const existing = this.queues.get(key(queue));
    this.queues.set(key(queue), { ...queue, version: queue.version ?? existing?.version ?? null });
    this.sorted = null;
  }

  /**
   * Queues that workers are connected to (seen in CLIENT LIST) but discovery has not found yet: adds those whose
   * `:id` or `:meta` key exists, with O(1) reads, so a new queue shows up at once instead of at the next SCAN.
   */
  async adopt(candidates: Array<{ prefix: string; name: string }>): Promise<void> {
    const unknown = [...new Map(candidates.map((c) => [key(c), c])).values()].filter(
      (c) => !this.queues.has(key(c)) && !this.absent.has(key(c)) && isBullMQQueueName(c.name)
    );
    if (this.opts.explicitQueues || unknown.length === 0) {
      return;
    }
    const replies = await pipelineByNode(this.client, unknown, (q) => `${q.prefix}:${q.name}:meta`, 2, (pipeline, q) => {
      pipeline.exists(`${q.prefix}:${q.name}:id`, `${q.prefix}:${q.name}:meta`);
      pipeline.hget(`${q.prefix}:${q.name}:meta`, 'version');
    });
    unknown.forEach((q, i) => {
      const [existsErr, exists] = replies[i * 2] ?? [];
      const [, version] = replies[i * 2 + 1] ?? [];
      if (!existsErr && Number(exists) > 0) {
        this.add({ prefix: q.prefix, name: q.name, version: typeof version === 'string' ? version : null });
      } else if (!existsErr) {
        this.absent.add(key(q));
      }
    });
  }

  /** Runs one discovery now (concurrent callers share it). */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.discover().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /**
   * First discovery, then one every interval; every 2 s while none has succeeded or no queue is known yet. Returns at
   * once: on a large keyspace the first SCAN takes seconds, and the service must listen meanwhile (see `ready()`).
   */
  start(): void {
    const schedule = () => {
      if (this.stopped) {
        return;
      }
      const delay = this.succeededOnce && this.queues.size > 0 ? this.opts.intervalMs : 2000;
      if (delay === 0) {
        return;
      }
      this.timer = setTimeout(() => {
        this.refresh()
          .catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'queue discovery failed'))
          .finally(schedule);
      }, delay);
      this.timer.unref();
    };
    this.firstAttempt = this.refresh()
      .catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'queue discovery failed'))
      .finally(schedule);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private async discover(): Promise<void> {
    const found: DiscoveredQueue[] = [];
    if (this.opts.explicitQueues) {
      for (const name of this.opts.explicitQueues) {
        for (const prefix of this.opts.prefixes) {
          found.push({ prefix, name, version: null });
        }
      }
    } else {
      for (const prefix of this.opts.prefixes) {
        for (const name of await this.scanPrefix(prefix)) {
          found.push({ prefix, name, version: null });
        }
      }
    }
    if (found.length > 0) {
      const versions = await pipelineByNode(this.client, found, (q) => `${q.prefix}:${q.name}:meta`, 1, (pipeline, q) =>
        pipeline.hget(`${q.prefix}:${q.name}:meta`, 'version')
      );
      found.forEach((q, i) => {
        const [err, value] = versions[i] ?? [];
        q.version = !err && typeof value === 'string' ? value : null;
      });
    }
    // Replace rather than merge, so obliterated queues disappear.
    const next = new Map<string, DiscoveredQueue>();
    for (const q of found) {
      next.set(key(q), q);
    }
    this.queues = next;
    this.sorted = null;
    this.absent.clear();
    this.succeededOnce = true;
    this.opts.logger.debug({ queues: found.length }, 'queue discovery done');
  }

  /**
   * One pass over the keyspace per prefix, matching both `:id` and `:meta` (meta can be missing, id too); on a Cluster
   * one pass over every master, concurrently (a master that fails fails the discovery: the last list stays).
   */
  private async scanPrefix(prefix: string): Promise<Set<string>> {
    const names = new Set<string>();
    await Promise.all(masterNodes(this.client).map((node) => this.scanNode(node, prefix, names)));
    return names;
  }

  private async scanNode(node: Redis, prefix: string, names: Set<string>): Promise<void> {
    const escaped = prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${escaped}:*:[im][de]*`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        const rest = k.slice(prefix.length + 1);
        const match = /^([^:]+):(id|meta)$/.exec(rest);
        if (match) {
          names.add(match[1]);
        }
      }
    } while (cursor !== '0');
  }
}
