import type { RedisClient } from '../../redis/topology';
import type { QueueStats, QueueStatsReport, QueueStatsRequest } from '../source';
import type { DiscoveredQueue } from './discovery';
import { LuaScript } from './lua-script';
import { keyBase, readInBatches } from './queue-set';
import { nativeCountsOf, stateCountsOf, waitingOf } from './native-states';

const ROW_LENGTH = 15;

type Row = number[];

export const queueStatsScript = new LuaScript<Row[]>('jobscopeQueueStats', 'queue-stats.lua');

async function runBatch(client: RedisClient, batch: DiscoveredQueue[], windowStart: number, maxLockChecks: number) {
  const rows = await queueStatsScript.run(
    client,
    batch.map(keyBase),
    [Math.floor(windowStart), Math.max(0, Math.floor(maxLockChecks))]
  );
  return rows.map((row) => row.map(Number));
}

/** Age from a created timestamp; 0 when nothing waits, never negative when clocks disagree a little. */
function ageMs(createdAt: number, now: number): number {
  return createdAt > 0 ? Math.max(0, now - createdAt) : 0;
}

/**
 * One read-only script call per batch of queues plus one CLIENT LIST for the workers of all queues, concurrently.
 */
export async function readQueueStats(
  client: RedisClient,
  queues: DiscoveredQueue[],
  opts: { source: string; prefixes: string[]; queuesPerCall: number },
  request: QueueStatsRequest
): Promise<QueueStatsReport> {
  const windowStart = request.now - request.windowMs;
  const { batches, results, failed, workers, workersOf, indexOf } = await readInBatches(client, queues, opts, (batch) =>
    runBatch(client, batch, windowStart, request.maxLockChecks)
  );

  // In the registry's order whatever the batches' order (hash-slot groups on a Cluster); failed batches' queues absent.
  const stats: QueueStats[] = [];
  results.forEach((rows, b) => {
    if (rows === null) {
      return;
    }
    batches[b].forEach((q, i) => {
      const row = rows[i];
      if (!row || row.length < ROW_LENGTH) {
        throw new Error(`queue stats script returned a malformed row for ${q.prefix}:${q.name}`);
      }
      const nativeCounts = nativeCountsOf(row);
      stats[indexOf(q)] = {
        source: opts.source,
        prefix: q.prefix,
        name: q.name,
        counts: stateCountsOf(nativeCounts),
        nativeCounts,
        waiting: waitingOf(nativeCounts),
        running: nativeCounts.active,
        paused: row[8] === 1,
        workers: workersOf(q),
        oldestWaitingAgeMs: Math.max(ageMs(row[9], request.now), ageMs(row[14], request.now)),
        recentFailures: row[10],
        recentCompletions: row[11],
        stalledChecked: row[12],
        stalled: row[13],
      };
    });
  });
  return {
    queues: stats.filter(Boolean),
    workers: { status: workers.status, reason: workers.reason },
    ...(failed.length ? { unreachable: failed.map((f) => ({ ...f, source: opts.source })) } : {}),
  };
}
