import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { locationService } from '@grafana/runtime';
import { isJobState, type JobState } from '@jobscope/contract';
import type { StatusFilter } from '../api/client';

export interface JobsFilter {
  /** The queue filter as in the URL: one queue name or a comma list. */
  queue?: string;
  /** The same, as a list (empty: all queues). */
  queues: string[];
  state?: JobState;
  /** Exact job name. */
  name?: string;
  /** Search text: when set, the table shows search results instead of the status list. */
  q?: string;
  /** Epoch ms or ISO time, as the service takes them. */
  from?: string;
  to?: string;
  /** Job key (`jobKey`, source:prefix:queue:id) of the job whose drawer is open (and whose row is highlighted). */
  job?: string;
}

/** The URL keys of the Jobs tab's filter. */
export const FILTER_KEYS = ['queue', 'state', 'name', 'q', 'from', 'to', 'job'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterChange = Partial<Record<FilterKey, string | null>>;
export interface FilterChangeOptions {
  /** Replace the current history entry instead of pushing one (typing in a text field). */
  replace?: boolean;
}

/** Splits a comma list of queue names, each once, blanks dropped. */
export function splitQueues(value: string | null | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((q) => q.trim()))].filter((q) => q !== '');
}

/** The status request of a filter (without limit and cursor). */
export function statusFilterOf(filter: JobsFilter): StatusFilter {
  return {
    queue: filter.queues.length > 0 ? filter.queues.join(',') : undefined,
    state: filter.state,
    name: filter.name,
    from: filter.from,
    to: filter.to,
  };
}

/**
 * The Jobs tab's filters live in the URL (`&queue=&state=&name=&q=&from=&to=&job=`) so every view can be shared and
 * dashboard links (`?tab=jobs&queue=x&state=FAILURE`) open a filtered view. A change pushes a history entry unless
 * `replace` is given; null removes a key.
 */
export function useJobsFilter(): [JobsFilter, (change: FilterChange, options?: FilterChangeOptions) => void] {
  const [params] = useSearchParams();
  const queue = params.get('queue') || undefined;
  const rawState = params.get('state');
  const name = params.get('name') || undefined;
  const q = params.get('q')?.trim() || undefined;
  const from = params.get('from') || undefined;
  const to = params.get('to') || undefined;
  const job = params.get('job') || undefined;
  const state = isJobState(rawState) ? rawState : undefined;
  const filter = useMemo<JobsFilter>(
    () => ({ queue, queues: splitQueues(queue), state, name, q, from, to, job }),
    [queue, state, name, q, from, to, job]
  );

  const setFilter = useCallback((change: FilterChange, options: FilterChangeOptions = {}) => {
    // The tab stays explicit so the link can be shared as is.
    locationService.partial({ tab: 'jobs', ...change }, options.replace ?? false);
  }, []);

  return [filter, setFilter];
}
