import type { JobState, QueueSummary } from '@jobscope/contract';

/** A state as a word after a count: "50,000 failed". */
export const STATE_WORDS: Readonly<Record<JobState, string>> = {
  RUNNING: 'running',
  PENDING: 'pending',
  DELAYED: 'delayed',
  WAITING_CHILDREN: 'waiting for children',
  FAILURE: 'failed',
  SUCCESS: 'succeeded',
};

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Jobs in scope by the queues' counts: the chosen queues (all when none) in the chosen state (all when none). */
export function totalInScope(queues: readonly QueueSummary[], names: readonly string[], state?: JobState): number {
  const inScope = names.length === 0 ? queues : queues.filter((q) => names.includes(q.name));
  return inScope.reduce(
    (sum, q) => sum + (state ? q.counts[state] : Object.values(q.counts).reduce((a, b) => a + b, 0)),
    0
  );
}

/** "showing 20 of 50,000 failed" (or "… of 1,234 jobs" without a state). */
export function showingText(shown: number, total: number, state?: JobState): string {
  return `showing ${formatCount(shown)} of ${formatCount(Math.max(total, shown))} ${state ? STATE_WORDS[state] : 'jobs'}`;
}
