import { ReplyError } from 'ioredis';
import {
  RESULT_EXCERPT_CHARS,
  TRACEBACK_EXCERPT_CHARS,
  type EnqueueResponse,
  type JobDetail,
  type JobRef,
  type ParsedEnqueueRequest,
  type QueueSummary,
} from '@jobscope/contract';
import type { Logger } from '../../logger';
import {
  InvalidRequestError,
  OutcomeUnknownError,
  SourceUnavailableError,
  type JobSource,
  type QueueRef,
  type QueueStatsReport,
  type QueueStatsRequest,
  type SnapshotRequest,
  type SourceEnqueue,
  type SourceReads,
  type SourceSnapshot,
} from '../source';
import { QueueRegistry, type DiscoveredQueue } from './discovery';
import { QueueCache } from './queue-cache';
import { compareRawJobs, readSummaries, runSnapshot, snapshotScript, summariesScript, type RawSnapshotJob } from './snapshot-script';
import { toJobSummary } from './job-summary';
import { queueStatsScript, readQueueStats } from './queue-stats';
import { jobDetailScript, readJobDetail } from './job-detail';
import { jobLogsScript, readJobLogs } from './job-logs';
import { searchBullMQ, searchIdScript, searchTextScript } from './search';
import { BullMQActions } from './actions';
import { readChangeMarker } from './change-marker';
import { addFailure, keyBase, readInBatches, staleReasonsOf, type FailedBatch } from './queue-set';
import { BULLMQ_MAX_PRIORITY, METRIC_STATE_OF_BULLMQ, nativeCountsOf, stateCountsOf, type BullMQNativeState } from './native-states';
import { errorMessage } from '../../redis/probe';
import { isCluster, nodeDeadline, type RedisClient } from '../../redis/topology';
import { redisErrorText } from '../../redis/error-text';

export interface BullMQSourceOptions {
  prefixes: string[];
  explicitQueues: string[] | null;
  discoveryIntervalMs: number;
  queuesPerCall: number;
  logger: Logger;
}

/** UTF-8 needs at most 4 bytes per character; the script cuts bytes, the summary then cuts characters. */
const MAX_BYTES_PER_CHAR = 4;
/**
 * From this many script calls per snapshot on, jobs are read in two steps (positions, then the page's fields): at
 * 1,000 single-queue slot groups and limit 20, 20,000 summaries read for 20 shown.
 */
const TWO_STEP_MIN_CALLS = 4;

type PickedJob = RawSnapshotJob & { queueOrder: number; position: number; queue: DiscoveredQueue; batch: number };

/** BullMQ queues under one or more key prefixes: reads through read-only Lua scripts, writes through BullMQ's Queue. */
export class BullMQSource implements JobSource {
  readonly id = 'bullmq';
  readonly label = 'BullMQ';
  readonly queueRegistry: QueueRegistry;
  readonly reads: SourceReads;
  readonly enqueue: SourceEnqueue;
  readonly actions: BullMQActions;
  private readonly writeQueues: QueueCache;

  constructor(
    private readonly client: RedisClient,
    private readonly opts: BullMQSourceOptions
  ) {
    this.queueRegistry = new QueueRegistry(client, {
      prefixes: opts.prefixes,
      explicitQueues: opts.explicitQueues,
      intervalMs: opts.discoveryIntervalMs,
      logger: opts.logger,
    });
    this.writeQueues = new QueueCache(client);
    this.reads = {
      ready: () => this.queueRegistry.ready(),
      listQueues: () => this.listQueues(),
      queuesKnown: () => this.queueRegistry.isKnown(),
      snapshot: (request) => this.snapshot(request),
      job: (ref) => this.job(ref),
      queueStats: (request) => this.queueStats(request),
      changeMarker: async (queues) => {
        await this.queueRegistry.ready();
        return readChangeMarker(this.client, this.queueRegistry.list(), queues);
      },
      logs: (ref, page) => readJobLogs(this.client, ref, page),
      search: async (request) => {
        await this.queueRegistry.ready();
        return searchBullMQ(this.client, this.queueRegistry.list(), request, { source: this.id, queuesPerCall: this.opts.queuesPerCall });
      },
      nativeJobsMetric: {
        name: 'bullmq_jobs',
        help: 'Jobs per queue and BullMQ state (same names as Queue.exportPrometheusMetrics).',
        stateLabel: (native) => METRIC_STATE_OF_BULLMQ[native as BullMQNativeState] ?? native,
      },
    };
    this.enqueue = { add: (queue, request) => this.add(queue, request) };
    this.actions = new BullMQActions(client, this.writeQueues);
  }

  /** `redisMajorVersion` picks the script variant (flags need Redis 7). */
  async start(redisMajorVersion = 7): Promise<void> {
    for (const script of [snapshotScript, summariesScript, queueStatsScript, jobDetailScript, jobLogsScript, searchIdScript, searchTextScript]) {
      script.define(this.client, redisMajorVersion);
    }
    this.queueRegistry.start();
  }

  async close(): Promise<void> {
    this.queueRegistry.stop();
    await this.actions.close();
    await this.writeQueues.closeAll();
  }

  private listQueues(): QueueRef[] {
    return this.queueRegistry.list().map((q) => ({ source: this.id, prefix: q.prefix, name: q.name }));
  }

  private async snapshot(request: SnapshotRequest): Promise<SourceSnapshot> {
    await this.queueRegistry.ready();
    const budgets = { resultBytes: RESULT_EXCERPT_CHARS * MAX_BYTES_PER_CHAR, tracebackBytes: TRACEBACK_EXCERPT_CHARS * MAX_BYTES_PER_CHAR };
    let positionsOnly = false;
    const { batches, results, failed, workers, workersOf, indexOf } = await readInBatches(
      this.client,
      this.queueRegistry.list(),
      this.opts,
      (batch, batchCount) => {
        // Every call returns up to `limit` jobs of which the merged page keeps `limit` in all: over many calls (one
        // per slot group on a Cluster) read positions first, then the fields of the page's jobs only.
        positionsOnly = batchCount >= TWO_STEP_MIN_CALLS;
        const after = request.after?.source === this.id ? request.after : undefined;
        return runSnapshot(this.client, {
          queueKeys: batch.map(keyBase),
          limit: request.limit,
          ...budgets,
          state: request.state,
          queueNames: request.queues,
          name: request.name,
          fromMs: request.fromMs,
          toMs: request.toMs,
          window: request.window,
          after: after && { ...after.position, prefix: after.prefix, queue: after.queue, id: after.id },
          positionsOnly,
        });
      }
    );

    // A worker on a queue discovery has not seen yet: adopt it in the background, for the next snapshot.
    void this.queueRegistry.adopt(workers.items.map((w) => ({ prefix: w.prefix, name: w.queue }))).catch(() => undefined);

    // Batches are slices of the registry's order (standalone) or of its hash-slot groups (Cluster): place every queue
    // by its index in the registry's order, the one tie-break every batch agrees on.
    const merged: PickedJob[] = [];
    results.forEach((result, b) => {
      result?.jobs.forEach((job, position) => {
        const queue = batches[b][job.queueIndex];
        merged.push({ ...job, queueOrder: indexOf(queue), position, queue, batch: b });
      });
    });
    merged.sort(compareRawJobs);
    let page = merged.slice(0, request.limit);
    if (positionsOnly) {
      page = await this.withFields(page, batches, budgets, failed);
    }

    const staleReasons = staleReasonsOf(failed);
    const summaries: QueueSummary[] = [];
    results.forEach((result, b) => {
      batches[b].forEach((q, i) => {
        const nativeCounts = nativeCountsOf(result?.counts[i] ?? []);
        const stale = staleReasons.get(`${q.prefix}:${q.name}`);
        summaries[indexOf(q)] = {
          name: q.name,
          prefix: q.prefix,
          source: this.id,
          counts: stateCountsOf(nativeCounts),
          nativeCounts,
          paused: result?.paused[i] ?? false,
          workers: workersOf(q),
          version: q.version,
          ...(stale !== undefined ? { stale: true as const, staleReason: stale } : {}),
        };
      });
    });
    const now = Date.now();
    const jobs = page.map((raw) => toJobSummary(raw, { source: this.id, prefix: raw.queue.prefix, queue: raw.queue.name }, now));
    // All queues even when filtered: the UI builds its queue picker from them.
    return {
      jobs,
      positions: page.map((raw) => ({ group: raw.group ?? 0, sortKey: raw.sortKey })),
      complete: results.every((r) => r?.complete !== false),
      queues: summaries.filter(Boolean),
      workers,
      ...(failed.length ? { unreachable: failed.map((f) => ({ ...f, source: this.id })) } : {}),
    };
  }

  /**
   * The second step of a snapshot read in positions: the page's jobs with their fields, one call per batch that has
   * any, concurrently. A job removed in between is left out; a batch whose node fails now joins `failed` (Cluster).
   */
  private async withFields(
    page: PickedJob[],
    batches: DiscoveredQueue[][],
    budgets: { resultBytes: number; tracebackBytes: number },
    failed: FailedBatch[]
  ): Promise<PickedJob[]> {
    const byBatch = new Map<number, PickedJob[]>();
    for (const job of page) {
      const jobs = byBatch.get(job.batch);
      if (jobs) {
        jobs.push(job);
      } else {
        byBatch.set(job.batch, [job]);
      }
    }
    const gone = new Set<PickedJob>();
    await Promise.all(
      [...byBatch].map(async ([b, jobs]) => {
        try {
          const fields = await nodeDeadline(this.client, readSummaries(this.client, batches[b].map(keyBase), jobs, budgets), 'reading job fields');
          jobs.forEach((job, k) => {
            const f = fields[k];
            if (f) {
              job.fields = f;
            } else {
              gone.add(job);
            }
          });
        } catch (err) {
          if (!isCluster(this.client)) {
            throw err;
          }
          jobs.forEach((job) => gone.add(job));
          addFailure(failed, this.client, batches[b], err);
        }
      })
    );
    return gone.size ? page.filter((job) => !gone.has(job)) : page;
  }

  private job(ref: JobRef): Promise<JobDetail | null> {
    return readJobDetail(this.client, ref, Date.now()).catch((err: unknown) => {
      throw new SourceUnavailableError(`could not read the job: ${redisErrorText(err)}`);
    });
  }

  private async queueStats(request: QueueStatsRequest): Promise<QueueStatsReport> {
    await this.queueRegistry.ready();
    return readQueueStats(
      this.client,
      this.queueRegistry.list(),
      { source: this.id, prefixes: this.opts.prefixes, queuesPerCall: this.opts.queuesPerCall },
      request
    );
  }

  private async add(target: QueueRef, request: ParsedEnqueueRequest): Promise<EnqueueResponse> {
    const { delay, priority, attempts } = request.opts;
    if (priority !== undefined && priority > BULLMQ_MAX_PRIORITY) {
      throw new InvalidRequestError(`BullMQ accepts priorities from 0 to ${BULLMQ_MAX_PRIORITY}`, 'opts.priority');
    }
    let job;
    try {
      const queue = this.writeQueues.get(target.prefix, target.name);
      job = await queue.add(request.name, request.data, { delay, priority, attempts });
    } catch (err) {
      throw writeError(err, 'could not add the job');
    }
    return {
      source: this.id,
      prefix: target.prefix,
      queue: target.name,
      id: String(job.id),
      state: delay && delay > 0 ? 'DELAYED' : 'PENDING',
    };
  }
}

/**
 * A failed write as the app should answer it. A timed-out command was sent and may still run when Redis wakes up, so
 * its outcome is unknown; anything else from Redis or the connection means Redis is unavailable.
 */
function writeError(err: unknown, what: string): Error {
  const message = errorMessage(err);
  if (/Command timed out/i.test(message)) {
    return new OutcomeUnknownError(
      'Redis did not answer in time: the job may or may not have been added; check before retrying'
    );
  }
  if (err instanceof ReplyError) {
    return new SourceUnavailableError(`${what}: Redis refused it: ${message}`);
  }
  return new SourceUnavailableError(`${what}: ${redisErrorText(err)}`);
}
