/**
 * Job states as users see them, in display order: the list the service returns is sorted by this order,
 * and the plugin colours badges by it. BullMQ's own names ("native states") map onto these.
 */
export const JOB_STATES = ['RUNNING', 'PENDING', 'DELAYED', 'WAITING_CHILDREN', 'FAILURE', 'SUCCESS'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** BullMQ's names for where a job id lives in Redis. `paused` is the legacy v5 list (v6 keeps paused jobs in `wait`). */
export const NATIVE_STATES = [
  'active',
  'wait',
  'paused',
  'prioritized',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;
export type NativeState = (typeof NATIVE_STATES)[number];

export const STATE_OF_NATIVE: Readonly<Record<NativeState, JobState>> = {
  active: 'RUNNING',
  wait: 'PENDING',
  paused: 'PENDING',
  prioritized: 'PENDING',
  delayed: 'DELAYED',
  'waiting-children': 'WAITING_CHILDREN',
  failed: 'FAILURE',
  completed: 'SUCCESS',
};

export const NATIVE_OF_STATE: Readonly<Record<JobState, readonly NativeState[]>> = {
  RUNNING: ['active'],
  PENDING: ['wait', 'paused', 'prioritized'],
  DELAYED: ['delayed'],
  WAITING_CHILDREN: ['waiting-children'],
  FAILURE: ['failed'],
  SUCCESS: ['completed'],
};

/** Position of a state in display order (0 = shown first). */
export function stateRank(state: JobState): number {
  return JOB_STATES.indexOf(state);
}

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
}

export type StateCounts = Record<JobState, number>;
export type NativeCounts = Record<NativeState, number>;

export function emptyStateCounts(): StateCounts {
  return { RUNNING: 0, PENDING: 0, DELAYED: 0, WAITING_CHILDREN: 0, FAILURE: 0, SUCCESS: 0 };
}

/** Folds BullMQ's per-list counts into the user-facing states. */
export function toStateCounts(native: NativeCounts): StateCounts {
  const counts = emptyStateCounts();
  for (const n of NATIVE_STATES) {
    counts[STATE_OF_NATIVE[n]] += native[n];
  }
  return counts;
}
