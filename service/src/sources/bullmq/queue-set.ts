import type Redis from 'ioredis';
import type { WorkersReport } from '../source';
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

/** Queues in slices of `size`: one Lua call each, so no call blocks Redis for long. */
export function inBatches(queues: DiscoveredQueue[], size: number): DiscoveredQueue[][] {
  const batches: DiscoveredQueue[][] = [];
  for (let i = 0; i < queues.length; i += size) {
    batches.push(queues.slice(i, i + size));
  }
  return batches;
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
 * The shape of every multi-queue read: one script call per batch of queues and one CLIENT LIST for the workers of all
 * queues, concurrently; results come back in batch order with a per-queue worker count.
 */
export async function readInBatches<R>(
  client: Redis,
  queues: DiscoveredQueue[],
  opts: { queuesPerCall: number; prefixes: string[] },
  runBatch: (batch: DiscoveredQueue[]) => Promise<R>
): Promise<{
  batches: DiscoveredQueue[][];
  results: R[];
  workers: WorkersReport;
  workersOf: (q: DiscoveredQueue) => number | 'unknown';
}> {
  const batches = inBatches(queues, opts.queuesPerCall);
  const [results, workers] = await Promise.all([Promise.all(batches.map(runBatch)), readWorkers(client, opts.prefixes)]);
  return { batches, results, workers, workersOf: workerCounter(workers) };
}
