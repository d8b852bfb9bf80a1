/**
 * Job states as users see them, in display order: the list the service returns is sorted by this order, and the
 * plugin colours badges by it. Each source maps its own names ("native states") onto these, inside the source.
 */
export const JOB_STATES = ['RUNNING', 'PENDING', 'DELAYED', 'WAITING_CHILDREN', 'FAILURE', 'SUCCESS'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Position of a state in display order (0 = shown first). */
export function stateRank(state: JobState): number {
  return JOB_STATES.indexOf(state);
}

export function isJobState(value: unknown): value is JobState {
  return typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
}

export type StateCounts = Record<JobState, number>;
/** A source's own per-state counts, by its own state names (e.g. BullMQ's `wait`, `prioritized`). */
export type NativeCounts = Record<string, number>;

export function emptyStateCounts(): StateCounts {
  return { RUNNING: 0, PENDING: 0, DELAYED: 0, WAITING_CHILDREN: 0, FAILURE: 0, SUCCESS: 0 };
}

/** Folds a source's native counts into the user-facing states with the source's own mapping. */
export function foldStateCounts(native: NativeCounts, stateOf: (native: string) => JobState): StateCounts {
  const counts = emptyStateCounts();
  for (const [name, n] of Object.entries(native)) {
    counts[stateOf(name)] += n;
  }
  return counts;
}
