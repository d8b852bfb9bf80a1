import { isDeepStrictEqual } from 'node:util';
import { Job, Queue } from 'bullmq';
import type Redis from 'ioredis';
import { fieldsToHash, finishedJobFields, type FinishedJobRecord } from './job-records';
import type { ReferenceJob, ReferenceJobs } from './reference-jobs';
import { countHistory, finishedOnOf, historyRecord, isFailedId, type HistoryPlan, type OptsTemplates } from './dataset';
import { expectedLiveCounts, type LiveJobOptions } from './live-jobs';

export class DatasetCheckError extends Error {}

/** `asJSON()` minus what legitimately differs between two copies of one job (its id). */
function comparableJson(job: Job): Record<string, unknown> {
  const { id: _id, ...rest } = job.asJSON() as unknown as Record<string, unknown>;
  return rest;
}

function diffKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k]));
}

function openQueue(connection: Redis, prefix: string, name: string): Queue {
  const queue = new Queue(name, { connection, prefix, skipMetasUpdate: true, skipVersionCheck: true });
  queue.on('error', () => undefined);
  return queue;
}

/** The generator's copy id of a reference job (not an integer, so it can never clash with BullMQ's ids). */
export const copyIdOf = (ref: ReferenceJob): string => `generated-${ref.id}`;

/**
 * Proves the generator writes what a real Worker writes: re-encodes each real reference job with `finishedJobFields`,
 * stores it under another id, and requires (1) the same HGETALL map and (2) the same `Job.fromId(...).asJSON()`.
 * Returns the keys it wrote.
 */
export async function checkGeneratorAgainstReference(connection: Redis, prefix: string, refs: ReferenceJobs): Promise<string[]> {
  const queue = openQueue(connection, prefix, refs.queue);
  const written: string[] = [];
  const problems: string[] = [];
  try {
    for (const ref of [refs.completed, refs.failed]) {
      const fields = finishedJobFields(ref.record);
      const generatedHash = fieldsToHash(fields);
      const fieldDiff = diffKeys(ref.hash, generatedHash);
      if (fieldDiff.length > 0) {
        problems.push(`${ref.record.outcome.state} hash differs in ${fieldDiff.join(', ')}`);
      }
      const key = `${prefix}:${refs.queue}:${copyIdOf(ref)}`;
      written.push(key);
      await connection.hset(key, ...fields);
      const [real, generated] = await Promise.all([Job.fromId(queue, ref.id), Job.fromId(queue, copyIdOf(ref))]);
      if (!real || !generated) {
        problems.push(`Job.fromId found ${real ? '' : 'no real job '}${generated ? '' : 'no generated job'}`);
        continue;
      }
      const jsonDiff = diffKeys(comparableJson(real), comparableJson(generated));
      if (jsonDiff.length > 0) {
        problems.push(`${ref.record.outcome.state} Job.fromId().asJSON() differs in ${jsonDiff.join(', ')}`);
      }
    }
  } finally {
    await queue.close();
  }
  if (problems.length > 0) {
    throw new DatasetCheckError(`generated hashes do not match real BullMQ jobs: ${problems.join('; ')}`);
  }
  return written;
}

/** What BullMQ itself must report for a generated job. */
function expectedJob(record: FinishedJobRecord): Record<string, unknown> {
  const { outcome } = record;
  return {
    name: record.name,
    data: JSON.parse(record.data),
    opts: JSON.parse(record.opts),
    timestamp: record.timestamp,
    processedOn: record.processedOn,
    finishedOn: record.finishedOn,
    attemptsMade: record.attemptsMade,
    attemptsStarted: record.attemptsStarted,
    processedBy: record.processedBy ?? undefined,
    returnvalue: outcome.state === 'completed' ? JSON.parse(outcome.returnvalue) : null,
    failedReason: outcome.state === 'failed' ? outcome.failedReason : undefined,
    stacktrace: outcome.state === 'failed' ? outcome.stacktrace : [],
  };
}

function sampleIds(fromId: number, toId: number): number[] {
  const ids = new Set<number>([fromId, toId, Math.floor((fromId + toId) / 2)]);
  const firstFailed = Math.ceil(fromId / 101) * 101;
  if (firstFailed <= toId) ids.add(firstFailed);
  for (let k = 1; k <= 4; k++) ids.add(fromId + Math.floor(((toId - fromId) * k) / 5));
  return [...ids].filter((id) => id >= fromId && id <= toId);
}

export interface SampleCheckArgs {
  plan: HistoryPlan;
  opts: OptsTemplates;
  refs: ReferenceJobs;
  live: LiveJobOptions;
  /** History ids currently written (per queue): fromId..plan.totalIds. */
  fromId: number;
}

/**
 * Checks the built dataset with BullMQ's own readers: `queue.getJobCounts()` of every queue against what was written,
 * and for a sample of generated jobs in a few queues `Job.fromId` (fields as intended, field set as the real job of
 * the same outcome), `job.getState()` and the zset score (= finishedOn). Throws listing every disagreement.
 */
export async function checkDatasetSample(connection: Redis, args: SampleCheckArgs): Promise<{ jobsChecked: number; totalJobs: number }> {
  const { plan } = args;
  const problems: string[] = [];
  const history = countHistory(args.fromId, plan.totalIds);
  const sampledQueues = new Set([0, Math.floor(plan.queues.length / 2), plan.queues.length - 1]);
  let jobsChecked = 0;
  let totalJobs = 0;
  const realFieldSet = {
    completed: Object.keys(args.refs.completed.hash).sort(),
    failed: Object.keys(args.refs.failed.hash).sort(),
  };
  await Promise.all(
    plan.queues.map(async (name, q) => {
      const queue = openQueue(connection, plan.prefix, name);
      try {
        const counts = await queue.getJobCounts();
        const live = expectedLiveCounts(args.live, q);
        const expected: Record<string, number> = {
          active: live.active,
          completed: history.completed,
          delayed: live.delayed,
          failed: history.failed,
          prioritized: live.prioritized,
          waiting: live.waiting,
          'waiting-children': 0,
        };
        for (const [state, n] of Object.entries(expected)) {
          if (counts[state] !== n) problems.push(`${name}: getJobCounts().${state} = ${counts[state]}, expected ${n}`);
        }
        totalJobs += Object.values(counts).reduce((a, b) => a + b, 0);
        if (!sampledQueues.has(q)) return;
        for (const id of sampleIds(args.fromId, plan.totalIds)) {
          const record = historyRecord(plan, q, id, args.opts);
          const state = record.outcome.state;
          const where = `${name}/${id} (${state})`;
          const job = await Job.fromId(queue, String(id));
          jobsChecked++;
          if (!job) {
            problems.push(`${where}: Job.fromId found nothing`);
            continue;
          }
          const want = expectedJob(record);
          const got = job as unknown as Record<string, unknown>;
          const bad = Object.keys(want).filter((k) => !isDeepStrictEqual(got[k], want[k]));
          if (bad.length > 0) problems.push(`${where}: Job.fromId differs in ${bad.join(', ')}`);
          const fieldSet = Object.keys(await connection.hgetall(`${plan.prefix}:${name}:${id}`)).sort();
          if (!isDeepStrictEqual(fieldSet, realFieldSet[state])) {
            problems.push(`${where}: fields [${fieldSet.join(',')}] != real ${state} job [${realFieldSet[state].join(',')}]`);
          }
          const actualState = await job.getState();
          if (actualState !== state) problems.push(`${where}: job.getState() = ${actualState}`);
          const score = await connection.zscore(`${plan.prefix}:${name}:${state}`, String(id));
          if (Number(score) !== finishedOnOf(plan, q, id) || isFailedId(id) !== (state === 'failed')) {
            problems.push(`${where}: ${state} zset score ${score} != finishedOn ${record.finishedOn}`);
          }
        }
      } finally {
        await queue.close();
      }
    })
  );
  if (problems.length > 0) {
    throw new DatasetCheckError(`dataset check failed (${problems.length} problems):\n  ${problems.slice(0, 30).join('\n  ')}`);
  }
  return { jobsChecked, totalJobs };
}
