import type Redis from 'ioredis';
import {
  NATIVE_STATES,
  RESULT_EXCERPT_CHARS,
  TRACEBACK_EXCERPT_CHARS,
  toStateCounts,
  type EnqueueResponse,
  type NativeCounts,
  type ParsedEnqueueRequest,
  type QueueSummary,
} from '@jobscope/contract';
import type { Logger } from '../../logger';
import {
  UnknownQueueError,
  type JobSource,
  type QueueRef,
  type QueueStatsReport,
  type QueueStatsRequest,
  type SnapshotRequest,
  type SourceSnapshot,
} from '../source';
import { QueueRegistry, type DiscoveredQueue } from './discovery';
import { QueueCache } from './queue-cache';
import { compareRawJobs, runSnapshot, snapshotScript, type RawSnapshotJob } from './snapshot-script';
import { toJobSummary } from './job-summary';
import { queueStatsScript, readQueueStats } from './queue-stats';
import { readWorkers } from './workers';
import { inBatches, keyBase, workerCounter } from './queue-set';

export interface BullMQSourceOptions {
  prefixes: string[];
  explicitQueues: string[] | null;
  discoveryIntervalMs: number;
  queuesPerCall: number;
  logger: Logger;
}

/** UTF-8 needs at most 4 bytes per character; the script cuts bytes, the summary then cuts characters. */
const MAX_BYTES_PER_CHAR = 4;

export class BullMQSource implements JobSource {
  readonly id = 'bullmq';
  readonly registry: QueueRegistry;
  private readonly writeQueues: QueueCache;

  constructor(
    private readonly client: Redis,
    private readonly opts: BullMQSourceOptions
  ) {
    this.registry = new QueueRegistry(client, {
      prefixes: opts.prefixes,
      explicitQueues: opts.explicitQueues,
      intervalMs: opts.discoveryIntervalMs,
      logger: opts.logger,
    });
    this.writeQueues = new QueueCache(client);
  }

  /** `redisMajorVersion` picks the script variant (flags need Redis 7). */
  async start(redisMajorVersion = 7): Promise<void> {
    snapshotScript.define(this.client, redisMajorVersion);
    queueStatsScript.define(this.client, redisMajorVersion);
    this.registry.start();
  }

  async close(): Promise<void> {
    this.registry.stop();
    await this.writeQueues.closeAll();
  }

  ready(): Promise<void> {
    return this.registry.ready();
  }

  hasQueue(name: string): boolean | undefined {
    try {
      return this.registry.find(name) !== undefined;
    } catch {
      return undefined;
    }
  }

  listQueues(): QueueRef[] {
    return this.registry.list().map((q) => ({ source: this.id, prefix: q.prefix, name: q.name }));
  }

  async snapshot(request: SnapshotRequest): Promise<SourceSnapshot> {
    await this.registry.ready();
    const queues = this.registry.list();
    const batches = inBatches(queues, this.opts.queuesPerCall);
    const [results, workers] = await Promise.all([
      Promise.all(
        batches.map((batch) => {
          const only = request.queue === undefined ? undefined : batch.findIndex((q) => q.name === request.queue);
          return runSnapshot(this.client, {
            queueKeys: batch.map(keyBase),
            limit: request.limit,
            resultBytes: RESULT_EXCERPT_CHARS * MAX_BYTES_PER_CHAR,
            tracebackBytes: TRACEBACK_EXCERPT_CHARS * MAX_BYTES_PER_CHAR,
            state: request.state,
            onlyQueueIndex: only,
          });
        })
      ),
      readWorkers(this.client, this.opts.prefixes),
    ]);

    // A worker on a queue discovery has not seen yet: adopt it in the background, for the next snapshot.
    void this.registry.adopt(workers.items.map((w) => ({ prefix: w.prefix, name: w.queue }))).catch(() => undefined);
    const workersOf = workerCounter(workers);

    const summaries: QueueSummary[] = [];
    const merged: Array<RawSnapshotJob & { queueOrder: number; position: number; queue: DiscoveredQueue }> = [];
    let queueOrder = 0;
    results.forEach((result, b) => {
      const batch = batches[b];
      batch.forEach((q, i) => {
        const nativeCounts = Object.fromEntries(
          NATIVE_STATES.map((n, k) => [n, result.counts[i][k] ?? 0])
        ) as NativeCounts;
        summaries.push({
          name: q.name,
          prefix: q.prefix,
          source: this.id,
          counts: toStateCounts(nativeCounts),
          nativeCounts,
          paused: result.paused[i],
          workers: workersOf(q),
          version: q.version,
        });
      });
      result.jobs.forEach((job, position) => {
        merged.push({ ...job, queueOrder: queueOrder + job.queueIndex, position, queue: batch[job.queueIndex] });
      });
      queueOrder += batch.length;
    });
    merged.sort(compareRawJobs);
    const now = Date.now();
    const jobs = merged.slice(0, request.limit).map((raw) => toJobSummary(raw, raw.queue.name, this.id, now));
    // All queues even when filtered: the UI builds its queue picker from them.
    return { jobs, queues: summaries, workers };
  }

  async queueStats(request: QueueStatsRequest): Promise<QueueStatsReport> {
    await this.registry.ready();
    return readQueueStats(
      this.client,
      this.registry.list(),
      { source: this.id, prefixes: this.opts.prefixes, queuesPerCall: this.opts.queuesPerCall },
      request
    );
  }

  async enqueue(request: ParsedEnqueueRequest): Promise<EnqueueResponse> {
    await this.registry.ready();
    const target = this.registry.find(request.queue);
    if (!target) {
      throw new UnknownQueueError(request.queue, [...new Set(this.registry.list().map((q) => q.name))]);
    }
    const queue = this.writeQueues.get(target.prefix, target.name);
    const job = await queue.add(request.name, request.data, {
      delay: request.opts.delay,
      priority: request.opts.priority,
      attempts: request.opts.attempts,
    });
    return {
      id: String(job.id),
      queue: target.name,
      state: request.opts.delay && request.opts.delay > 0 ? 'DELAYED' : 'PENDING',
    };
  }
}
