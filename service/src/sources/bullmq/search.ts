import type { RedisClient } from '../../redis/topology';
import { RESULT_EXCERPT_CHARS, TRACEBACK_EXCERPT_CHARS, type JobSummary } from '@jobscope/contract';
import { SourceUnavailableError, type SearchRequest, type SearchResult } from '../source';
import { redisErrorText } from '../../redis/error-text';
import type { DiscoveredQueue } from './discovery';
import { LuaScript } from './lua-script';
import { BULLMQ_NATIVE_STATES, STATE_OF_BULLMQ, type BullMQNativeState } from './native-states';
import { inBatches, keyBase } from './queue-set';
import { compareRawJobs, FIELD_NAMES, type RawJobFields, type RawSnapshotJob } from './snapshot-script';
import { toJobSummary } from './job-summary';

type Row = Array<string | number | null | false>;
type TextReply = [number, number, Row[]];

export const searchIdScript = new LuaScript<Row[]>('jobscopeSearchId', 'search-id.lua');
export const searchTextScript = new LuaScript<TextReply>('jobscopeSearchText', 'search.lua');

/** UTF-8 needs at most 4 bytes per character; the script cuts bytes, the summary then cuts characters. */
const MAX_BYTES_PER_CHAR = 4;
/** Longest wait/active list LPOS walks to tell an id match's state (as the job detail does). */
const LIST_SCAN_LIMIT = 100_000;
/** Each field is matched on its first 64 KB (what the job detail shows): a 10 MB payload cannot stall a call. */
export const SEARCH_MATCH_BYTES = 64 * 1024;
/**
 * Most jobs one text-search call may read (window x states x queues; about 4-10 µs each, so some 40-100 ms): calls
 * take fewer queues than `queuesPerCall`, and fewer states, when the window is large, so no call blocks Redis for
 * long. One queue and one state per call at least (so at window 10,000 a call reads up to 10,000 jobs).
 */
export const SEARCH_JOBS_PER_CALL = 10_000;
/** Longest text still tried as an exact job id (BullMQ ids are short; a JobRef part is at most 512 characters). */
const MAX_ID_LENGTH = 512;

/**
 * Whether `q` may be a BullMQ job id. An id never holds ":" (BullMQ's key separator), and with one `q` could name
 * another key of the queue (`<id>:logs`, `repeat:…`).
 */
export function isPlausibleJobId(q: string): boolean {
  return q.length > 0 && q.length <= MAX_ID_LENGTH && !q.includes(':') && !/[\s\u0000-\u001f]/.test(q);
}

/** Display groups in display order, as in snapshot.lua: the natives of one group are listed (and merged) together. */
const DISPLAY_GROUPS: BullMQNativeState[][] = [
  ['active'],
  ['wait', 'paused'],
  ['prioritized'],
  ['delayed'],
  ['waiting-children'],
  ['failed'],
  ['completed'],
];

/**
 * Per display group (in display order) that the state filter keeps, its natives as the scripts' 1-based indices, in
 * runs of at most `perCall` states.
 */
function groupChunks(state: SearchRequest['state'], perCall: number): number[][][] {
  return DISPLAY_GROUPS.flatMap((group) => {
    const natives = group
      .filter((n) => !state || STATE_OF_BULLMQ[n] === state)
      .map((n) => BULLMQ_NATIVE_STATES.indexOf(n) + 1);
    const chunks: number[][] = [];
    for (let i = 0; i < natives.length; i += perCall) {
      chunks.push(natives.slice(i, i + perCall));
    }
    return chunks.length ? [chunks] : [];
  });
}

function rawJob(row: Row): RawSnapshotJob {
  const fields = {} as RawJobFields;
  FIELD_NAMES.forEach((name, k) => {
    const v = row[4 + k];
    fields[name] = v === null || v === undefined || v === false ? null : String(v);
  });
  const nativeIndex = Number(row[1]);
  // Found by id but in no state list within the scan limit (deep in a huge wait list): `wait`, as the job detail says.
  const native: BullMQNativeState = BULLMQ_NATIVE_STATES[nativeIndex - 1] ?? 'wait';
  return { queueIndex: Number(row[0]) - 1, native, id: String(row[2]), sortKey: String(row[3] ?? ''), fields };
}

export interface BullMQSearchOptions {
  source: string;
  queuesPerCall: number;
}

/**
 * Finds BullMQ jobs: first the job whose id is exactly `q` in every queue in scope (one TYPE per queue), then jobs
 * whose name, data, return value or failure reason contains `q` (ASCII case-insensitive) among the first `window`
 * jobs per queue and native state in display order. Text search reads one display group after the other (running,
 * pending, ..., completed) over all queues in scope, in calls each bounded by SEARCH_JOBS_PER_CALL jobs (batches of
 * queues, and of states for a large window), and stops once `limit` jobs were found: the hits are then the first
 * `limit` in display order among the jobs in the window. Id matches come first, then text matches in display order.
 * `complete` is true only when every job of every queue and state in scope was read.
 */
export async function searchBullMQ(
  client: RedisClient,
  allQueues: DiscoveredQueue[],
  request: SearchRequest,
  opts: BullMQSearchOptions
): Promise<SearchResult> {
  const names = new Set(request.queues);
  const queues = names.size === 0 ? allQueues : allQueues.filter((q) => names.has(q.name));
  const now = Date.now();
  const summary = (raw: RawSnapshotJob, q: DiscoveredQueue): JobSummary =>
    toJobSummary(raw, { source: opts.source, prefix: q.prefix, queue: q.name }, now);
  const inState = (raw: RawSnapshotJob) => !request.state || STATE_OF_BULLMQ[raw.native] === request.state;
  const resultBytes = RESULT_EXCERPT_CHARS * MAX_BYTES_PER_CHAR;
  const traceBytes = TRACEBACK_EXCERPT_CHARS * MAX_BYTES_PER_CHAR;

  try {
    // (a) By id: O(queues), every batch at once.
    const byId: JobSummary[] = [];
    const idSearch = isPlausibleJobId(request.q);
    if (idSearch) {
      const batches = inBatches(client, queues, opts.queuesPerCall);
      const replies = await Promise.all(
        batches.map((batch) =>
          searchIdScript.run(client, batch.map(keyBase), [request.q, resultBytes, traceBytes, LIST_SCAN_LIMIT])
        )
      );
      replies.forEach((rows, b) => {
        for (const row of rows) {
          const raw = rawJob(row);
          if (inState(raw)) {
            byId.push(summary(raw, batches[b][raw.queueIndex]));
          }
        }
      });
    }
    const found = byId.slice(0, request.limit);
    // An exact id was found: that is the answer (in O(queues)); text search is for when it was not.
    if (found.length > 0) {
      return { jobs: found, searched: { jobs: 0, window: request.window, complete: byId.length <= request.limit } };
    }

    // (b) By text, one display group after the other until the limit is reached. Every call of a group returns its
    // first `remaining` hits in display order; merged, the first `remaining` of them are the group's. A call reads at
    // most window x states x queues jobs: at most SEARCH_JOBS_PER_CALL (or `window`, when it alone is bigger).
    const statesPerCall = Math.max(1, Math.floor(SEARCH_JOBS_PER_CALL / request.window));
    const order = new Map(queues.map((q, k) => [q, k]));
    type Hit = RawSnapshotJob & { queueOrder: number; position: number; queue: DiscoveredQueue };
    const hits: Hit[] = [];
    let read = 0;
    let complete = byId.length <= request.limit;
    for (const chunks of groupChunks(request.state, statesPerCall)) {
      const remaining = request.limit - found.length - hits.length;
      if (remaining <= 0) {
        complete = false;
        break;
      }
      const calls = chunks.flatMap((natives) => {
        const queuesPerCall = Math.max(
          1,
          Math.min(opts.queuesPerCall, Math.floor(SEARCH_JOBS_PER_CALL / (request.window * natives.length)))
        );
        return inBatches(client, queues, queuesPerCall).map((batch) => ({ natives, batch }));
      });
      const replies = await Promise.all(
        calls.map(({ natives, batch }) =>
          searchTextScript.run(client, batch.map(keyBase), [
            request.q,
            request.window,
            remaining,
            natives.join(','),
            resultBytes,
            traceBytes,
            idSearch ? request.q : '',
            SEARCH_MATCH_BYTES,
          ])
        )
      );
      const groupHits: Hit[] = [];
      replies.forEach(([callRead, inScope, rows], c) => {
        read += Number(callRead);
        if (Number(callRead) < Number(inScope)) {
          complete = false;
        }
        rows.forEach((row, position) => {
          const raw = rawJob(row);
          const queue = calls[c].batch[raw.queueIndex];
          groupHits.push({ ...raw, queueOrder: order.get(queue) ?? 0, position, queue });
        });
      });
      groupHits.sort(compareRawJobs);
      if (groupHits.length > remaining) {
        complete = false;
      }
      hits.push(...groupHits.slice(0, remaining));
    }
    hits.sort(compareRawJobs);
    const jobs = [...found, ...hits.map((h) => summary(h, h.queue))].slice(0, request.limit);
    return { jobs, searched: { jobs: read, window: request.window, complete } };
  } catch (err) {
    throw new SourceUnavailableError(`could not search the jobs: ${redisErrorText(err)}`);
  }
}
