import { finishedJobFields, type FinishedJobRecord } from './job-records';
import { BENCH_WORKER_NAME } from './reference-jobs';
import { encodeCommand, type RespWriter } from './resp-writer';

/**
 * The synthetic history: per queue, job ids 1..totalIds, finished over `spanMs` ending at `endMs`, higher id = later.
 * Every 101st id failed, so 50,000 completed come with 500 failed. The small stage is the newest ids; growing writes
 * the older ones, so the top of every list (and the top-20 answer) stays the same while the history grows.
 */
export interface HistoryPlan {
  prefix: string;
  queues: string[];
  totalIds: number;
  /** First id of the small stage (the newest `totalIds - smallFrom + 1` ids). */
  smallFrom: number;
  endMs: number;
  stepMs: number;
}

/** Opts text of real jobs, per outcome (BullMQ writes it; the generator copies it). */
export interface OptsTemplates {
  completed: string;
  failed: string;
}

const FAILED_EVERY = 101;
const SPAN_MS = 7 * 24 * 3600 * 1000;
const NAMES = ['send-email', 'resize-image', 'sync-account'];
const ATTEMPTS_ON_FAILURE = 3;

export const isFailedId = (id: number): boolean => id % FAILED_EVERY === 0;

/** Ids needed for `completed` completed jobs plus one failed per 100. */
export const idsForHistory = (completed: number): number => completed + Math.round(completed / (FAILED_EVERY - 1));

export function queueNames(count: number): string[] {
  const width = String(Math.max(count - 1, 1)).length;
  return Array.from({ length: count }, (_, i) => `bench-q${String(i).padStart(Math.max(width, 2), '0')}`);
}

export function planHistory(prefix: string, queueCount: number, completed: number, smallCompleted: number, now = Date.now()): HistoryPlan {
  const totalIds = idsForHistory(completed);
  const smallIds = Math.min(idsForHistory(smallCompleted), totalIds);
  return {
    prefix,
    queues: queueNames(queueCount),
    totalIds,
    smallFrom: totalIds - smallIds + 1,
    endMs: now - 60_000,
    stepMs: Math.max(1, Math.floor(SPAN_MS / totalIds)),
  };
}

/** finishedOn: spaced `stepMs` apart per id, queues offset by a few ms so no two queues tie. */
export function finishedOnOf(plan: HistoryPlan, queueIndex: number, id: number): number {
  return plan.endMs - (plan.totalIds - id) * plan.stepMs - queueIndex * 7;
}

export function historyRecord(plan: HistoryPlan, queueIndex: number, id: number, opts: OptsTemplates): FinishedJobRecord {
  const finishedOn = finishedOnOf(plan, queueIndex, id);
  const failed = isFailedId(id);
  const runMs = 20 + ((id * 37) % 900);
  const processedOn = finishedOn - runMs;
  const waitedMs = 1 + ((id * 13) % 3000) + (failed ? (ATTEMPTS_ON_FAILURE - 1) * (runMs + 20) : 0);
  const base = {
    name: NAMES[id % NAMES.length],
    data: JSON.stringify({ to: `user${id}@example.com`, template: 'welcome' }),
    timestamp: processedOn - waitedMs,
    delay: 0,
    priority: 0,
    processedOn,
    finishedOn,
    processedBy: BENCH_WORKER_NAME,
    progress: null,
  };
  if (!failed) {
    return {
      ...base,
      opts: opts.completed,
      attemptsStarted: 1,
      attemptsMade: 1,
      outcome: { state: 'completed', returnvalue: JSON.stringify({ delivered: true, messageId: `msg-${id}` }) },
    };
  }
  const reason = `SMTP 451 temporary failure for user${id}@example.com`;
  const frame = `Error: ${reason}\n    at sendEmail (/app/dist/jobs/email.js:42:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async Worker.processJob (/app/node_modules/bullmq/dist/cjs/classes/worker.js:595:32)`;
  return {
    ...base,
    opts: opts.failed,
    attemptsStarted: ATTEMPTS_ON_FAILURE,
    attemptsMade: ATTEMPTS_ON_FAILURE,
    outcome: { state: 'failed', failedReason: reason, stacktrace: Array(ATTEMPTS_ON_FAILURE).fill(frame) },
  };
}

export interface HistoryCounts {
  completed: number;
  failed: number;
}

/** Completed/failed counts per queue for ids fromId..toId. */
export function countHistory(fromId: number, toId: number): HistoryCounts {
  const multiples = (n: number) => Math.floor(n / FAILED_EVERY);
  const failed = multiples(toId) - multiples(fromId - 1);
  return { completed: toId - fromId + 1 - failed, failed };
}

const CHUNK = 1000;
const IN_FLIGHT = 4;

/**
 * Writes the hashes of ids fromId..toId of every queue plus their completed/failed zset entries (score = finishedOn),
 * in pipelined batches of CHUNK jobs with a few in flight. Also sets `<queue>:id` to totalIds so real `Queue.add`
 * continues after the history, as BullMQ's INCR would.
 */
export async function writeHistory(writer: RespWriter, plan: HistoryPlan, opts: OptsTemplates, fromId: number, toId: number): Promise<number> {
  const batches: Array<() => [string, number]> = [];
  plan.queues.forEach((queue, q) => {
    const base = `${plan.prefix}:${queue}:`;
    // NX: growing the history later must not rewind a counter that real adds have moved on.
    batches.push(() => [encodeCommand(['SET', `${base}id`, String(plan.totalIds), 'NX']), 1]);
    for (let start = fromId; start <= toId; start += CHUNK) {
      const end = Math.min(toId, start + CHUNK - 1);
      batches.push(() => {
        let payload = '';
        let count = 0;
        const completed = ['ZADD', `${base}completed`];
        const failed = ['ZADD', `${base}failed`];
        for (let id = start; id <= end; id++) {
          const record = historyRecord(plan, q, id, opts);
          payload += encodeCommand(['HSET', `${base}${id}`, ...finishedJobFields(record)]);
          count++;
          (record.outcome.state === 'completed' ? completed : failed).push(String(record.finishedOn), String(id));
        }
        for (const zadd of [completed, failed]) {
          if (zadd.length > 2) {
            payload += encodeCommand(zadd);
            count++;
          }
        }
        return [payload, count];
      });
    }
  });
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const [payload, count] = batches[next++]();
      await writer.send(payload, count);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return plan.queues.length * Math.max(0, toId - fromId + 1);
}
