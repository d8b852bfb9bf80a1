import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { locationService } from '@grafana/runtime';
import { isJobState, type JobState } from '@jobscope/contract';

export interface JobsFilter {
  queue?: string;
  state?: JobState;
  /** Job key (`jobKey`, source:prefix:queue:id) of the job to highlight, open and scroll to. */
  job?: string;
}

/** The Jobs tab's filters live in the URL (`&queue=&state=&job=`) so dashboard links can open a filtered view. */
export function useJobsFilter(): [JobsFilter, (change: Partial<Record<keyof JobsFilter, string | null>>) => void] {
  const [params] = useSearchParams();
  const queue = params.get('queue') || undefined;
  const rawState = params.get('state');
  const job = params.get('job') || undefined;
  const filter: JobsFilter = { queue, state: isJobState(rawState) ? rawState : undefined, job };

  const setFilter = useCallback((change: Partial<Record<keyof JobsFilter, string | null>>) => {
    // null removes the key; the tab stays explicit so the link can be shared as is.
    locationService.partial({ tab: 'jobs', ...change });
  }, []);

  return [filter, setFilter];
}
