import { z } from 'zod';
import { foldStateCounts, type JobState, type NativeCounts, type StateCounts } from '@jobscope/contract';

/**
 * BullMQ's names for where a job id lives in Redis, in the order the Lua scripts return their counts
 * (`includes/native-states.lua` holds the same list; a test proves they agree). `paused` is the legacy v5 list
 * (v6 keeps paused jobs in `wait`).
 */
export const BULLMQ_NATIVE_STATES = [
  'active',
  'wait',
  'paused',
  'prioritized',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;
export type BullMQNativeState = (typeof BULLMQ_NATIVE_STATES)[number];

export const STATE_OF_BULLMQ: Readonly<Record<BullMQNativeState, JobState>> = {
  active: 'RUNNING',
  wait: 'PENDING',
  paused: 'PENDING',
  prioritized: 'PENDING',
  delayed: 'DELAYED',
  'waiting-children': 'WAITING_CHILDREN',
  failed: 'FAILURE',
  completed: 'SUCCESS',
};

/** The `state` label of `bullmq_jobs` uses BullMQ's exporter names, which say `waiting` where the keys say `wait`. */
export const METRIC_STATE_OF_BULLMQ = {
  active: 'active',
  wait: 'waiting',
  paused: 'paused',
  prioritized: 'prioritized',
  delayed: 'delayed',
  'waiting-children': 'waiting-children',
  failed: 'failed',
  completed: 'completed',
} as const satisfies Record<BullMQNativeState, string>;

/** Values of the `state` label of `bullmq_jobs`. */
export const BULLMQ_METRIC_STATES: readonly string[] = BULLMQ_NATIVE_STATES.map((n) => METRIC_STATE_OF_BULLMQ[n]);

/** Counts in BULLMQ_NATIVE_STATES order (as the scripts return them) as a record by native state name. */
export function nativeCountsOf(ordered: ArrayLike<number | string | undefined>): NativeCounts {
  const counts: NativeCounts = {};
  for (let k = 0; k < BULLMQ_NATIVE_STATES.length; k++) {
    counts[BULLMQ_NATIVE_STATES[k]] = Number(ordered[k] ?? 0);
  }
  return counts;
}

export function stateCountsOf(native: NativeCounts): StateCounts {
  return foldStateCounts(native, (n) => STATE_OF_BULLMQ[n as BullMQNativeState]);
}

/** Jobs ready to run now (delayed and waiting-children wait on purpose). */
export function waitingOf(native: NativeCounts): number {
  return (native.wait ?? 0) + (native.paused ?? 0) + (native.prioritized ?? 0);
}

/** BullMQ builds keys as `<prefix>:<queue>:<type>`, so a queue name may not contain `:` (prefixes may). */
export const BULLMQ_QUEUE_NAME_RULE = 'BullMQ queue names must not contain ":" (BullMQ uses it as the key separator)';
export function isBullMQQueueName(name: string): boolean {
  return name.length > 0 && !name.includes(':');
}

/** BullMQ 6.7 rejects priorities above 2^21 - 1 (`Priority should be between 0 and 2097151`). */
export const BULLMQ_MAX_PRIORITY = 2_097_151;

export const BullMQQueueName = z.string().refine(isBullMQQueueName, BULLMQ_QUEUE_NAME_RULE);
