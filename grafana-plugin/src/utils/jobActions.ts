import type { JobAction, JobActionResponse, JobState, JobSummary } from '@jobscope/contract';

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

export function jobActionsFor(state: JobState): JobAction[] {
  return JOB_ACTION_MENU.map((m) => m.action).filter((a) => jobActionApplies(a, state));
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
