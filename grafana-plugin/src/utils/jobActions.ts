import type { JobAction, JobActionResponse, JobState, JobSummary, QueueAction, SourceInfo } from '@jobscope/contract';

/** Menu order and labels of the job actions. */
export const JOB_ACTION_MENU: ReadonlyArray<{ action: JobAction; label: string; description: string }> = [
  { action: 'retry', label: 'Retry', description: 'Run the job again' },
  { action: 'promote', label: 'Promote', description: 'Run the delayed job now' },
  { action: 'cancel', label: 'Cancel', description: 'Ask its worker to stop the running job' },
  { action: 'remove', label: 'Remove', description: 'Delete the job from its queue' },
];

/** Which action applies to which user-facing state (the service answers 409 wrong_state otherwise). */
export function jobActionApplies(action: JobAction, state: JobState): boolean {
  switch (action) {
    case 'retry':
      return state === 'FAILURE' || state === 'SUCCESS';
    case 'promote':
      return state === 'DELAYED';
    case 'cancel':
      return state === 'RUNNING';
    case 'remove':
      return state !== 'RUNNING';
  }
}

/**
 * What each source can do, by source id, from the status reply's `sources`. `null` when the reply has no such list
 * (a service older than it): then nothing is hidden and the service answers 405 for what a source lacks.
 */
export type SourceCapabilities = ReadonlyMap<string, SourceInfo['supports']> | null;

export function sourceCapabilities(sources: readonly SourceInfo[] | null | undefined): SourceCapabilities {
  return sources ? new Map(sources.map((s) => [s.id, s.supports])) : null;
}

/**
 * Whether a source implements an action (or `enqueue`): what it does not is hidden, not disabled (disabled is for role
 * and state). Unknown capabilities, or a source the reply does not list, hide nothing.
 */
export function sourceSupports(
  capabilities: SourceCapabilities,
  source: string,
  action: JobAction | QueueAction | 'enqueue'
): boolean {
  const supports = capabilities?.get(source);
  if (!supports) {
    return true;
  }
  return action === 'enqueue' ? supports.enqueue : supports.actions.includes(action);
}

/** The job actions of the menu, in menu order: those that apply to the job's state and that its source supports. */
export function jobActionsFor(
  job: Pick<JobSummary, 'state' | 'source'>,
  capabilities: SourceCapabilities = null
): JobAction[] {
  return JOB_ACTION_MENU.map((m) => m.action).filter(
    (a) => jobActionApplies(a, job.state) && sourceSupports(capabilities, job.source, a)
  );
}

/** Names of the sources when the status reply lists them (the id when a reply has no label for it). */
export function sourceLabel(sources: readonly SourceInfo[] | null | undefined, id: string): string {
  return sources?.find((s) => s.id === id)?.label ?? id;
}

const VERB: Record<JobAction, string> = { retry: 'retry', promote: 'promote', cancel: 'cancel', remove: 'remove' };

/** Toast after a successful job action. */
export function jobActionSuccessText(job: Pick<JobSummary, 'id' | 'queue'>, reply: JobActionResponse): string {
  const which = `Job ${job.id} of queue ${job.queue}`;
  switch (reply.action) {
    case 'retry':
      return `${which} retried${reply.job ? ` (now ${reply.job.state})` : ''}`;
    case 'promote':
      return `${which} promoted${reply.job ? ` (now ${reply.job.state})` : ''}`;
    case 'remove':
      return `${which} removed`;
    case 'cancel': {
      const n = reply.delivered;
      const sent = n === undefined ? '' : ` (sent to ${n} worker${n === 1 ? '' : 's'})`;
      return `Cancel requested for job ${job.id} of queue ${job.queue}${sent}`;
    }
  }
}

/** Title of the error toast after a failed job action. */
export function jobActionErrorTitle(job: Pick<JobSummary, 'id'>, action: JobAction): string {
  return `Could not ${VERB[action]} job ${job.id}`;
}
