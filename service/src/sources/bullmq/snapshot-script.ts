import type Redis from 'ioredis';
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
  fields: RawJobFields;
}

export interface RawSnapshot {
  /** Per queue, counts in BULLMQ_NATIVE_STATES order. */
  counts: number[][];
  paused: boolean[];
  jobs: RawSnapshotJob[];
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
}

type SnapshotReply = [number[], number[], Array<Array<string | null | number>>];

/** `<prefix>:<queue>:` → queue (queue names cannot contain ":", prefixes can). */
function queueNameOfKey(queueKey: string): string {
  const parts = queueKey.split(':');
  return parts[parts.length - 2];
}

/**
 * The script's list of queues to take jobs from: "" for all, else 1-based indices ("0" lists none). A queue filter is
 * by name, so the same name under several prefixes is listed under all of them, not only the first one found.
 */
function listedQueues(queueKeys: string[], onlyQueueIndex: number | undefined): string {
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

export async function runSnapshot(client: Redis, args: SnapshotArgs): Promise<RawSnapshot> {
  const groups = args.state ? GROUPS_OF_STATE[args.state].join(',') : '';
  const only = listedQueues(args.queueKeys, args.onlyQueueIndex);
  const reply = await snapshotScript.run(client, args.queueKeys, [
    args.limit,
    args.resultBytes,
    args.tracebackBytes,
    groups,
    only,
  ]);
  const [flatCounts, paused, rows] = reply;
  const counts: number[][] = [];
  const n = BULLMQ_NATIVE_STATES.length;
  for (let q = 0; q < args.queueKeys.length; q++) {
    counts.push(flatCounts.slice(q * n, q * n + n).map(Number));
  }
  const jobs = rows.map((row) => {
    const fields = {} as RawJobFields;
    FIELD_NAMES.forEach((name, k) => {
      const v = row[4 + k];
      fields[name] = v === null || v === undefined ? null : String(v);
    });
    return {
      queueIndex: Number(row[0]) - 1,
      native: BULLMQ_NATIVE_STATES[Number(row[1]) - 1],
      id: String(row[2]),
      sortKey: String(row[3]),
      fields,
    };
  });
  return { counts, paused: paused.map((p) => Number(p) === 1), jobs };
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
