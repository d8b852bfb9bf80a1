import type { CeleryNativeState } from './native-states';

/** What the index keeps per task: enough to filter, count and order; everything else is MGET'ed for the rows shown. */
export interface IndexedResult {
  id: string;
  native: CeleryNativeState;
  /** date_done, or when jobscope first saw this state (STARTED and RETRY carry no time). */
  ms: number;
  queue: string;
  name: string | null;
  /** Write sequence: a bootstrap read older than a live update never overwrites it. */
  seq: number;
}

/**
 * Celery keeps no index of its results (only `celery-task-meta-<id>` keys), and listing them means a SCAN of the
 * whole database. This is the index Celery lacks, in the service's memory: per native state a list ordered by time
 * (appends are the common case: live updates arrive in time order), tombstones for entries that moved, per-queue
 * counts kept on every change, and a bound on its size (oldest finished results go first). Bootstrap batches arrive
 * in SCAN order (any time): they wait unsorted and are sorted into the lists once, at the next read or live update,
 * instead of merging the whole list once per batch (quadratic: 100 batches of 1,000 cost seconds at 100,000).
 */
export class ResultIndex {
  private readonly byId = new Map<string, IndexedResult>();
  private readonly lists = new Map<CeleryNativeState, IndexedResult[]>();
  private readonly counts = new Map<string, Map<CeleryNativeState, number>>();
  /** Per list, where its first live entry is (everything before it is a tombstone). */
  private readonly starts = new Map<CeleryNativeState, number>();
  /** Bulk-loaded entries not yet in their list (in load order; sorted in by `settleAll` before any list is read). */
  private readonly pending = new Map<CeleryNativeState, IndexedResult[]>();
  private tombstones = 0;
  private seq = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.byId.size;
  }

  /** The next write sequence number: take it before a read whose result `bulkLoad` applies later. */
  nextSeq(): number {
    return ++this.seq;
  }

  get(id: string): IndexedResult | undefined {
    return this.byId.get(id);
  }

  /** A live update: always the newest word on a task. */
  put(entry: Omit<IndexedResult, 'seq'>): void {
    const current = this.byId.get(entry.id);
    // A retried task's STARTED carries no time: keep it after its earlier RETRY, not before.
    const ms = current && current.native !== entry.native ? Math.max(entry.ms, current.ms) : entry.ms;
    this.replace(current, entryOf(entry, ms, this.nextSeq()));
    this.enforceBound();
  }

  /** Bootstrap results read at `seq`: skipped where a live update came after the read; sorted into the lists on next use. */
  bulkLoad(entries: Array<Omit<IndexedResult, 'seq'>>, seq: number): number {
    let added = 0;
    for (const e of entries) {
      const current = this.byId.get(e.id);
      if (current && (current.seq > seq || (current.native === e.native && current.ms === e.ms))) {
        continue;
      }
      if (current) {
        this.unlink(current);
      }
      const next = entryOf(e, e.ms, seq);
      this.byId.set(e.id, next);
      this.count(next, 1);
      const group = this.pending.get(e.native);
      if (group) {
        group.push(next);
      } else {
        this.pending.set(e.native, [next]);
      }
      added += 1;
    }
    this.enforceBound();
    return added;
  }

  /** Drops a task (its result expired or was deleted). */
  delete(id: string): void {
    const current = this.byId.get(id);
    if (current) {
      this.unlink(current);
      this.byId.delete(id);
      this.compactIfNeeded();
    }
  }

  /** Removes entries last written before `seq` whose ids are not in `seen` (a full read of the store). */
  dropUnseen(seen: ReadonlySet<string>, seq: number): void {
    for (const e of [...this.byId.values()]) {
      if (e.seq < seq && !seen.has(e.id)) {
        this.delete(e.id);
      }
    }
  }

  clear(): void {
    this.byId.clear();
    this.lists.clear();
    this.pending.clear();
    this.counts.clear();
    this.starts.clear();
    this.tombstones = 0;
  }

  /** Per-queue counts by native state. */
  countsOf(queue: string): ReadonlyMap<CeleryNativeState, number> {
    return this.counts.get(queue) ?? new Map();
  }

  queues(): string[] {
    return [...this.counts.keys()];
  }

  /**
   * Entries of one native state, newest first, that pass `accept`; stops after `limit` matches or `window` entries
   * read (then `complete` is false).
   */
  newest(
    native: CeleryNativeState,
    limit: number,
    window: number,
    accept: (e: IndexedResult) => boolean = () => true,
    /** Start below this entry (a page anchor): older, or as old with a greater id. */
    before?: { ms: number; id: string }
  ): { items: IndexedResult[]; complete: boolean } {
    const list = this.settled(native);
    const items: IndexedResult[] = [];
    let read = 0;
    const from = before ? upperBound(list, before.ms) - 1 : list.length - 1;
    for (let i = from; i >= 0 && items.length < limit; i--) {
      const e = list[i];
      if (this.byId.get(e.id) !== e) {
        continue; // tombstone: the task moved on
      }
      if (before && e.ms === before.ms && e.id <= before.id) {
        continue;
      }
      if (++read > window) {
        return { items, complete: false };
      }
      if (accept(e)) {
        items.push(e);
      }
    }
    return { items, complete: true };
  }

  /** How many entries of `native` in `queue` are at or after `sinceMs` (walks back from the newest). */
  countSince(native: CeleryNativeState, queue: string, sinceMs: number): number {
    const list = this.settled(native);
    let n = 0;
    for (let i = list.length - 1; i >= 0 && list[i].ms >= sinceMs; i--) {
      const e = list[i];
      if (this.byId.get(e.id) === e && e.queue === queue) {
        n += 1;
      }
    }
    return n;
  }

  /** The list of `native` in time order, bulk-loaded entries sorted in (all lists at once: they keep their order). */
  private settled(native: CeleryNativeState): IndexedResult[] {
    this.settleAll();
    return this.lists.get(native) ?? [];
  }

  /** Sorts every list's bulk-loaded entries into it (stable: ties keep load order, after the list's own). */
  private settleAll(): void {
    if (this.pending.size === 0) {
      return;
    }
    for (const [native, items] of this.pending) {
      items.sort((a, b) => a.ms - b.ms);
      const list = this.lists.get(native);
      this.lists.set(native, list && list.length > 0 ? mergeByTime(list, items) : items);
      this.starts.set(native, 0);
    }
    this.pending.clear();
  }

  private list(native: CeleryNativeState): IndexedResult[] {
    let list = this.settled(native);
    if (!this.lists.has(native)) {
      list = [];
      this.lists.set(native, list);
    }
    return list;
  }

  private count(e: IndexedResult, delta: number): void {
    let perQueue = this.counts.get(e.queue);
    if (!perQueue) {
      perQueue = new Map();
      this.counts.set(e.queue, perQueue);
    }
    perQueue.set(e.native, (perQueue.get(e.native) ?? 0) + delta);
  }

  private unlink(e: IndexedResult): void {
    this.count(e, -1);
    this.tombstones += 1;
  }

  private replace(current: IndexedResult | undefined, next: IndexedResult): void {
    if (current) {
      this.unlink(current);
    }
    this.byId.set(next.id, next);
    const list = this.list(next.native);
    if (list.length === 0 || list[list.length - 1].ms <= next.ms) {
      list.push(next);
    } else {
      const at = upperBound(list, next.ms);
      list.splice(at, 0, next);
      this.starts.set(next.native, Math.min(at, this.starts.get(next.native) ?? 0));
    }
    this.count(next, 1);
    this.compactIfNeeded();
  }

  /** Over the bound: the oldest entries go, whatever their state. */
  private enforceBound(): void {
    let excess = this.byId.size - this.max;
    if (excess > 0) {
      this.settleAll();
    }
    while (excess > 0) {
      let oldest: { native: CeleryNativeState; e: IndexedResult } | null = null;
      for (const [native, list] of this.lists) {
        let i = this.starts.get(native) ?? 0;
        while (i < list.length && this.byId.get(list[i].id) !== list[i]) {
          i++;
        }
        this.starts.set(native, i);
        if (i < list.length && (!oldest || list[i].ms < oldest.e.ms)) {
          oldest = { native, e: list[i] };
        }
      }
      if (!oldest) {
        break;
      }
      this.starts.set(oldest.native, this.starts.get(oldest.native)! + 1);
      this.unlink(oldest.e);
      this.byId.delete(oldest.e.id);
      excess -= 1;
    }
    this.compactIfNeeded();
  }

  /** Rewrites the lists without tombstones once they make up half of them. */
  private compactIfNeeded(): void {
    if (this.tombstones < 1024 || this.tombstones < this.byId.size) {
      return;
    }
    this.settleAll();
    for (const [native, list] of this.lists) {
      this.lists.set(
        native,
        list.filter((e) => this.byId.get(e.id) === e)
      );
    }
    for (const [queue, perQueue] of this.counts) {
      for (const [native, n] of perQueue) {
        if (n === 0) {
          perQueue.delete(native);
        }
      }
      if (perQueue.size === 0) {
        this.counts.delete(queue);
      }
    }
    this.starts.clear();
    this.tombstones = 0;
  }
}

/**
 * An entry as a plain literal: one object shape for all of them. A `{ ...e, seq }` copy has a shape V8 reads far more
 * slowly (sorting 100,000 of them took ~250 ms against ~40 ms).
 */
function entryOf(e: Omit<IndexedResult, 'seq'>, ms: number, seq: number): IndexedResult {
  return { id: e.id, native: e.native, ms, queue: e.queue, name: e.name, seq };
}

function mergeByTime(a: IndexedResult[], b: IndexedResult[]): IndexedResult[] {
  const out: IndexedResult[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = a[i].ms <= b[j].ms ? a[i++] : b[j++];
  }
  while (i < a.length) {
    out[k++] = a[i++];
  }
  while (j < b.length) {
    out[k++] = b[j++];
  }
  return out;
}

/** First index whose `ms` is greater than `ms`. */
function upperBound(list: IndexedResult[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ms <= ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
