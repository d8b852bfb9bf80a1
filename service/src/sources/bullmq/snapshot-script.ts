import type { RedisClient } from '../../redis/topology';
import type { JobState } from '@jobscope/contract';
import { LuaScript } from './lua-script';
import { BULLMQ_NATIVE_STATES, type BullMQNativeState } from './native-states';

export const FIELD_NAMES = [
  'name', 'timestamp', 'processedOn', 'finishedOn', 'progress', 'atm', 'attemptsMade', 'delay',
  'priority', 'pb', 'failedReason', 'returnvalue', 'stacktrace',
] as const;
export type RawJobFields = Record<(typeof FIELD_NAMES)[number], string | null>;

/** Display groups of the script (1-based), in the order they are listed. */
const GROUP_OF_NATIVE: Record<BullMQNativeState, number> = {
  active: 1, wait: 2, paused: 2, prioritized: 3, delayed: 4, 'waiting-children': 5, failed: 6, completed: 7,
};
const ASCENDING_GROUPS = new Set([3, 4]);
const GROUPS_OF_STATE: Record<JobState, number[]> = {
  RUNNING: [1], PENDING: [2, 3], DELAYED: [4], WAITING_CHILDREN: [5], FAILURE: [6], SUCCESS: [7],
};

export interface RawSnapshotJob {
  /** Index into the queue list given to `runSnapshot`. */
  queueIndex: number;
  native: BullMQNativeState;
  id: string;
  /** Score or hash field the job was ordered by (delayed: due * 4096 + seq). */
  sortKey: string;
  /** Display group of the script (1-based), part of a page cursor; absent for jobs read one by one. */
  group?: number;
  fields: RawJobFields;
}

/** Where a page starts: after this job of this display group (see snapshot.lua ARGV[9]). */
export interface SnapshotAnchor {
  group: number;
  sortKey: string;
  prefix: string;
  queue: string;
  id: string;
}

export interface RawSnapshot {
  /** Per queue, counts in BULLMQ_NATIVE_STATES order. */
  counts: number[][];
  paused: boolean[];
  jobs: RawSnapshotJob[];
  /** False when a filter stopped reading a stream at the window. */
  complete: boolean;
}

export interface SnapshotArgs {
  queueKeys: string[];
  limit: number;
  resultBytes: number;
  tracebackBytes: number;
  state?: JobState;
  /**
   * Index in queueKeys of a queue whose name is the only one to list jobs from (under every prefix in queueKeys);
   * -1 lists none. Counts are still read for all.
   */
  onlyQueueIndex?: number;
  /** Queue names to list jobs from (all when absent); counts are still read for all. */
  queueNames?: string[];
  name?: string;
  fromMs?: number;
  toMs?: number;
  /** Most ids read per stream when filtering. */
  window: number;
  /** Continue after this job (a page cursor). */
  after?: SnapshotAnchor;
  /** Jobs without their fields (all null): the caller reads those of the jobs it keeps with `readSummaries`. */
  positionsOnly?: boolean;
}

type SnapshotReply = [number[], number[], Array<Array<string | null | number>>, number];

/** `<prefix>:<queue>:` → prefix and queue (queue names cannot contain ":", prefixes can). */
function queueOfKey(queueKey: string): { prefix: string; name: string } {
  const parts = queueKey.split(':');
  return { prefix: parts.slice(0, -2).join(':'), name: parts[parts.length - 2] };
}

function queueNameOfKey(queueKey: string): string {
  return queueOfKey(queueKey).name;
}

/** Merge order of queues: by prefix, then name (the registry's order), so every batch agrees on it. */
export function compareQueues(a: { prefix: string; name: string }, b: { prefix: string; name: string }): number {
  if (a.prefix !== b.prefix) {
    return a.prefix < b.prefix ? -1 : 1;
  }
  return a.name === b.name ? 0 : a.name < b.name ? -1 : 1;
}

/**
 * The script's list of queues to take jobs from: "" for all, else 1-based indices ("0" lists none). A queue filter is
 * by name, so the same name under several prefixes is listed under all of them, not only the first one found.
 */
function listedQueues(queueKeys: string[], onlyQueueIndex: number | undefined, names?: string[]): string {
  if (names !== undefined) {
    const indices = queueKeys.flatMap((k, i) => (names.includes(queueNameOfKey(k)) ? [String(i + 1)] : []));
    return indices.length ? indices.join(',') : '0';
  }
  if (onlyQueueIndex === undefined) {
    return '';
  }
  if (onlyQueueIndex < 0 || onlyQueueIndex >= queueKeys.length) {
    return '0';
  }
  const name = queueNameOfKey(queueKeys[onlyQueueIndex]);
  return queueKeys.flatMap((k, i) => (queueNameOfKey(k) === name ? [String(i + 1)] : [])).join(',');
}

export const snapshotScript = new LuaScript<SnapshotReply>('jobscopeSnapshot', 'snapshot.lua');

export async function runSnapshot(client: RedisClient, args: SnapshotArgs): Promise<RawSnapshot> {
  const groups = args.state ? GROUPS_OF_STATE[args.state].join(',') : '';
  const only = listedQueues(args.queueKeys, args.onlyQueueIndex, args.queueNames);
  const range = args.fromMs !== undefined || args.toMs !== undefined ? `${args.fromMs ?? 0},${args.toMs ?? 8.64e15}` : '';
  const after = args.after;
  const cursor = after
    ? [after.group, after.sortKey, after.id, ...args.queueKeys.map((k) => Math.sign(compareQueues(queueOfKey(k), { prefix: after.prefix, name: after.queue })))].join(',')
    : '';
  const reply = await snapshotScript.run(client, args.queueKeys, [
    args.limit,
    args.resultBytes,
    args.tracebackBytes,
    groups,
    only,
    args.name ?? '',
    range,
    args.window,
    cursor,
    args.positionsOnly ? '1' : '',
  ]);
  const [flatCounts, paused, rows, complete] = reply;
  const counts: number[][] = [];
  const n = BULLMQ_NATIVE_STATES.length;
  for (let q = 0; q < args.queueKeys.length; q++) {
    counts.push(flatCounts.slice(q * n, q * n + n).map(Number));
  }
  const jobs = rows.map((row) => {
    const fields = fieldsOf(row, 5);
    return {
      queueIndex: Number(row[0]) - 1,
      native: BULLMQ_NATIVE_STATES[Number(row[1]) - 1],
      id: String(row[2]),
      sortKey: String(row[3]),
      group: Number(row[4]),
      fields,
    };
  });
  return { counts, paused: paused.map((p) => Number(p) === 1), jobs, complete: Number(complete) === 1 };
}

/** The FIELD_NAMES values of a script row from index `from` on (null where absent: Lua false, nil, or not sent). */
function fieldsOf(row: ArrayLike<string | number | null | false | undefined>, from: number): RawJobFields {
  const fields = {} as RawJobFields;
  FIELD_NAMES.forEach((name, k) => {
    const v = row[from + k];
    fields[name] = v === null || v === undefined || v === false ? null : String(v);
  });
  return fields;
}

export const summariesScript = new LuaScript<Array<Array<string | null | false> | false | null>>('jobscopeSummaries', 'summaries.lua');

/**
 * The fields of `picks` (jobs of the queues in `queueKeys`, one slot group), in one call; null for a job whose hash
 * is gone since it was picked.
 */
export async function readSummaries(
  client: RedisClient,
  queueKeys: string[],
  picks: Array<{ queueIndex: number; id: string }>,
  budgets: { resultBytes: number; tracebackBytes: number }
): Promise<Array<RawJobFields | null>> {
  const reply = await summariesScript.run(client, queueKeys, [
    budgets.resultBytes,
    budgets.tracebackBytes,
    ...picks.flatMap((p) => [p.queueIndex + 1, p.id]),
  ]);
  return picks.map((_, k) => {
    const row = reply[k];
    return row ? fieldsOf(row, 0) : null;
  });
}

/**
 * Orders jobs from several script calls (batches of queues) the way one call would: by display group, then sort key
 * in the group's direction, then queue order, then position.
 */
export function compareRawJobs(
  a: RawSnapshotJob & { queueOrder: number; position: number },
  b: RawSnapshotJob & { queueOrder: number; position: number }
): number {
  const ga = GROUP_OF_NATIVE[a.native];
  const gb = GROUP_OF_NATIVE[b.native];
  if (ga !== gb) {
    return ga - gb;
  }
  const ka = Number(a.sortKey);
  const kb = Number(b.sortKey);
  if (ka !== kb) {
    return ASCENDING_GROUPS.has(ga) ? ka - kb : kb - ka;
  }
  if (a.queueOrder !== b.queueOrder) {
    return a.queueOrder - b.queueOrder;
  }
  return a.position - b.position;
}
