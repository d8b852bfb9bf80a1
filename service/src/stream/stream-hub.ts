import type { StatusQuery, StatusResponse } from '@jobscope/contract';
import type { SnapshotService } from '../snapshot/snapshot-service';
import type { SourceRegistry } from '../sources/registry';

/** What a subscriber receives: a fresh snapshot, or word that Redis went away (the last snapshot stays valid). */
export type StreamEvent = {
  type: 'snapshot' | 'stale';
  id: number;
  /** The event's data as JSON, serialized once for every subscriber. */
  json: string;
};

type Listener = (event: StreamEvent) => void;

/** Full reads happen at least this often even when no queue's change marker moved (workers come and go unseen). */
const FULL_READ_EVERY_MS = 10_000;

/**
 * The content a change is judged by: what a user would see change. Times that move on their own (a running job's
 * duration, a worker's idle time, the reply's age) are left out; the client derives them from the timestamps.
 */
export function fingerprint(s: StatusResponse): string {
  return JSON.stringify([
    s.stale,
    s.redis.ok,
    s.nextCursor,
    s.jobs.map((j) => ({ ...j, durationMs: j.state === 'RUNNING' ? null : j.durationMs })),
    s.queues,
    s.workers.status,
    s.workers.items.map((w) => [w.prefix, w.queue, w.name, w.addr]),
  ]);
}

/**
 * One producer per distinct view, shared by every subscriber of it: 1,000 viewers of one view cost one read per
 * interval. Each interval the producer first asks the sources for their change markers (BullMQ: the last id of each
 * queue's events stream, O(1) per queue) and reads the snapshot only when one moved (or every 10 s); a new event
 * goes out only when the content changed. The producer stops when its last subscriber leaves.
 */
class Producer {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private last: StreamEvent | null = null;
  private lastPrint: string | null = null;
  private lastMarker: string | null = null;
  private lastFullAt = 0;
  private running = false;

  constructor(
    private readonly query: StatusQuery,
    private readonly deps: { snapshots: SnapshotService; registry: SourceRegistry; intervalMs: number; nextId: () => number },
    private readonly onIdle: () => void
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  add(listener: Listener): void {
    this.listeners.add(listener);
    if (this.last) {
      listener(this.last);
    }
    if (!this.timer) {
      void this.tick(true);
      this.timer = setInterval(() => void this.tick(false), this.deps.intervalMs);
      this.timer.unref();
    }
  }

  remove(listener: Listener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) {
      this.stop();
      this.onIdle();
    }
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private emit(event: StreamEvent): void {
    this.last = event;
    for (const l of this.listeners) {
      l(event);
    }
  }

  /** Ticks never overlap: a slow read makes the next tick skip, not pile up. */
  private async tick(first: boolean): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      // A marker that cannot be read (a Cluster node down) is no reason to stop: read, and let the snapshot say what is stale.
      const marker = await this.deps.registry.changeMarker(this.query.queue).catch(() => null);
      const now = Date.now();
      if (!first && marker !== null && marker === this.lastMarker && now - this.lastFullAt < FULL_READ_EVERY_MS && this.last?.type === 'snapshot') {
        return;
      }
      // Straight from Redis, not through the status route's cache: a marker that moved means the cache is behind.
      const snapshot = await this.deps.snapshots.read(this.query);
      this.lastMarker = marker;
      this.lastFullAt = now;
      if (snapshot.stale) {
        if (this.last?.type !== 'stale') {
          this.emit({ type: 'stale', id: this.deps.nextId(), json: JSON.stringify({ error: snapshot.redis.error ?? 'Redis is unavailable' }) });
          this.lastPrint = null;
        }
        return;
      }
      const print = fingerprint(snapshot);
      if (print !== this.lastPrint) {
        this.lastPrint = print;
        this.emit({ type: 'snapshot', id: this.deps.nextId(), json: JSON.stringify(snapshot) });
      }
    } catch (err) {
      if (this.last?.type !== 'stale') {
        this.emit({ type: 'stale', id: this.deps.nextId(), json: JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) });
        this.lastPrint = null;
      }
    } finally {
      this.running = false;
    }
  }
}

export class StreamLimitError extends Error {}

export interface StreamHubOptions {
  snapshots: SnapshotService;
  registry: SourceRegistry;
  intervalMs: number;
  maxStreams: number;
}

export class StreamHub {
  private readonly producers = new Map<string, Producer>();
  /** How to end each open stream when the service shuts down. */
  private readonly enders = new Set<() => void>();
  private open = 0;
  private seq = 0;

  constructor(private readonly opts: StreamHubOptions) {}

  /** Open streams and running producers, for tests and metrics. */
  get stats(): { streams: number; producers: number } {
    return { streams: this.open, producers: this.producers.size };
  }

  /** Subscribes to a view; throws StreamLimitError beyond the cap. Returns the unsubscribe function. */
  subscribe(query: StatusQuery, listener: Listener, end: () => void = () => undefined): () => void {
    if (this.open >= this.opts.maxStreams) {
      throw new StreamLimitError(`too many open streams (${this.opts.maxStreams}); poll the status route instead`);
    }
    const key = JSON.stringify([query.limit, query.queue ?? [], query.state ?? '', query.name ?? '', query.from ?? '', query.to ?? '']);
    let producer = this.producers.get(key);
    if (!producer) {
      const made = new Producer(
        query,
        { snapshots: this.opts.snapshots, registry: this.opts.registry, intervalMs: this.opts.intervalMs, nextId: () => ++this.seq },
        () => this.producers.delete(key)
      );
      producer = made;
      this.producers.set(key, made);
    }
    this.open++;
    this.enders.add(end);
    producer.add(listener);
    let done = false;
    const owner = producer;
    return () => {
      if (!done) {
        done = true;
        this.open--;
        this.enders.delete(end);
        owner.remove(listener);
      }
    };
  }

  /** Ends every open stream (clients reconnect to another instance) and stops every producer. */
  close(): void {
    for (const end of [...this.enders]) {
      end();
    }
    for (const p of this.producers.values()) {
      p.stop();
    }
    this.producers.clear();
  }
}
