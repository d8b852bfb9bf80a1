import type { WorkersReport } from '../source';
import { bySlot, isCluster, nodeDeadline, nodeOfKey, type RedisClient } from '../../redis/topology';
import { redisErrorText } from '../../redis/error-text';
import type { DiscoveredQueue } from './discovery';
import { readWorkers } from './workers';

/** Identity of a queue across prefixes (a queue name may exist under several). */
export function queueId(q: { prefix: string; name: string }): string {
  return `${q.prefix}\u0000${q.name}`;
}

/** The `<prefix>:<queue>:` base every BullMQ key of the queue starts with (the scripts' KEYS). */
export function keyBase(q: { prefix: string; name: string }): string {
  return `${q.prefix}:${q.name}:`;
}

/**
 * Queues in slices of at most `size`, one Lua call each, so no call blocks Redis for long. On a Cluster each slice
 * holds queues of one hash slot only (all queues under a `{prefix}`, or one `{queue}`): a script may only touch keys of
 * one slot, and ioredis sends it to the master serving that slot.
 */
export function inBatches(client: RedisClient, queues: DiscoveredQueue[], size: number): DiscoveredQueue[][] {
  const batches: DiscoveredQueue[][] = [];
  for (const group of bySlot(client, queues, keyBase)) {
    for (let i = 0; i < group.length; i += size) {
      batches.push(group.slice(i, i + size));
    }
  }
  return batches;
}

/** A node that failed a batch: the queues it holds and why (prefix:name), before the source adds its id. */
export interface FailedBatch {
  node: string | null;
  queues: string[];
  error: string;
}

/** Workers per queue from one CLIENT LIST; "unknown" for every queue where the server refused it. */
export function workerCounter(workers: WorkersReport): (q: DiscoveredQueue) => number | 'unknown' {
  const counts = new Map<string, number>();
  for (const w of workers.items) {
    const id = queueId({ prefix: w.prefix, name: w.queue });
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return (q) => (workers.status === 'ok' ? (counts.get(queueId(q)) ?? 0) : 'unknown');
}

/**
 * The shape of every multi-queue read: one script call per batch of queues and one CLIENT LIST per server for the
 * workers of all queues, concurrently; results come back in batch order (null for a failed batch) with a per-queue
 * worker count. One Redis fails as a whole (the call throws); on a Cluster a master that is down fails only its
 * batches, which come back in `failed`, unless every batch failed.
 */
export async function readInBatches<R>(
  client: RedisClient,
  queues: DiscoveredQueue[],
  opts: { queuesPerCall: number; prefixes: string[] },
  /** Runs one batch; `batchCount` says how many calls this read makes in all. */
  runBatch: (batch: DiscoveredQueue[], batchCount: number) => Promise<R>
): Promise<{
  batches: DiscoveredQueue[][];
  results: Array<R | null>;
  failed: FailedBatch[];
  workers: WorkersReport;
  workersOf: (q: DiscoveredQueue) => number | 'unknown';
  /** A queue's index in `queues`: where batches read in another order (hash-slot groups) put it back. */
  indexOf: (q: DiscoveredQueue) => number;
}> {
  const batches = inBatches(client, queues, opts.queuesPerCall);
  const reading = isCluster(client)
    ? Promise.allSettled(batches.map((batch) => nodeDeadline(client, runBatch(batch, batches.length), 'reading its queues')))
    : Promise.all(batches.map((batch) => runBatch(batch, batches.length))).then((values) => values.map((value) => ({ status: 'fulfilled', value }) as const));
  const [settled, workers] = await Promise.all([reading, readWorkers(client, opts.prefixes)]);
  const rejected = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (rejected.length > 0 && rejected.length === batches.length) {
    throw rejected[0];
  }
  const failed: FailedBatch[] = [];
  settled.forEach((s, b) => {
    if (s.status === 'rejected') {
      addFailure(failed, client, batches[b], s.reason);
    }
  });
  return {
    batches,
    results: settled.map((s) => (s.status === 'fulfilled' ? s.value : null)),
    failed,
    workers,
    workersOf: workerCounter(workers),
    indexOf: indexIn(queues),
  };
}

/** Records that `batch` could not be read: one entry per node (its first error), however many of its batches failed. */
export function addFailure(failed: FailedBatch[], client: RedisClient, batch: DiscoveredQueue[], err: unknown): void {
  const node = nodeOfKey(client, keyBase(batch[0]));
  let entry = failed.find((f) => f.node === node);
  if (!entry) {
    entry = { node, queues: [], error: redisErrorText(err) };
    failed.push(entry);
  }
  entry.queues.push(...batch.map((q) => `${q.prefix}:${q.name}`));
}

function indexIn(queues: DiscoveredQueue[]): (q: DiscoveredQueue) => number {
  const index = new Map(queues.map((q, i) => [queueId(q), i]));
  return (q) => index.get(queueId(q)) ?? 0;
}

/** Per queue (`prefix:name`) of a failed batch, why it could not be read: "<node> did not answer: <error>". */
export function staleReasonsOf(failed: FailedBatch[]): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const f of failed) {
    for (const q of f.queues) {
      reasons.set(q, `Redis node ${f.node ?? '(unknown)'} did not answer: ${f.error}`);
    }
  }
  return reasons;
}
