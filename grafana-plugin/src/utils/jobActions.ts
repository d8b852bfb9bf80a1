import type { JobAction, JobActionResponse, JobState, JobSummary, QueueAction, SourceInfo, StatusResponse } from '@jobscope/contract';

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

/** A source as the tabs name it. */
export interface NamedSource {
  id: string;
  label: string;
}

/** The sources to name: the reply's list, plus any its queues or jobs come from (named by id). */
export function listedSources(
  data: Pick<StatusResponse, 'sources' | 'queues'> | null,
  jobs: ReadonlyArray<Pick<JobSummary, 'source'>> = []
): NamedSource[] {
  const listed: NamedSource[] = (data?.sources ?? []).map((s) => ({ id: s.id, label: s.label }));
  const ids = new Set(listed.map((s) => s.id));
  for (const id of [...(data?.queues ?? []).map((q) => q.source), ...jobs.map((j) => j.source)]) {
    if (!ids.has(id)) {
      ids.add(id);
      listed.push({ id, label: id });
    }
  }
  return listed;
}

/** Whether the list mixes sources (or shows another than BullMQ): then each row says which source its job is from. */
export function mixesSources(
  sources: readonly NamedSource[],
  jobs: ReadonlyArray<Pick<JobSummary, 'source'>>
): boolean {
  return sources.length > 1 || jobs.some((j) => j.source !== 'bullmq');
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
