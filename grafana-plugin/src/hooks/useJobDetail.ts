import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { jobKey, type JobDetail, type JobLogPageResponse, type JobRef, type JobState } from '@jobscope/contract';
import { fetchJobDetail, fetchJobLogs, isJobNotFound, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { JOBS_POLL_INTERVAL_MS, usePolling } from './useJobsStatus';

/** States in which a job still changes: its drawer refreshes while it is in one of them. */
export const LIVE_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['RUNNING', 'PENDING']);
/** Log lines per page of the drawer's Logs tab. */
export const JOB_LOG_PAGE_SIZE = 100;

/**
 * One job's detail while its drawer is open. While the job is RUNNING or PENDING it refreshes every 2 s under the Jobs
 * tab's rules (document visible, not paused); it stops once the job is in another state, is gone (404) or the drawer
 * closes (the query unmounts).
 */
export function useJobDetail(ref: JobRef | null, paused: boolean) {
  const polling = usePolling(ref !== null, paused);
  const key = ref === null ? '' : jobKey(ref);
  return useQuery<JobDetail, ServiceError>({
    queryKey: queryKeys.jobDetail(key),
    queryFn: () => fetchJobDetail(ref as JobRef),
    enabled: ref !== null,
    refetchInterval: (query) => {
      const data = query.state.data;
      const gone = isJobNotFound(query.state.error);
      return polling && !gone && data !== undefined && LIVE_JOB_STATES.has(data.state) ? JOBS_POLL_INTERVAL_MS : false;
    },
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: (query) =>
      !paused && query.state.data !== undefined && LIVE_JOB_STATES.has(query.state.data.state),
  });
}

/** One page of a job's log lines (`offset`, JOB_LOG_PAGE_SIZE lines), the previous page kept while the next loads. */
export function useJobLogs(ref: JobRef, offset: number, enabled: boolean) {
  return useQuery<JobLogPageResponse, ServiceError>({
    queryKey: queryKeys.jobLogs(jobKey(ref), offset, JOB_LOG_PAGE_SIZE),
    queryFn: () => fetchJobLogs(ref, offset, JOB_LOG_PAGE_SIZE),
    enabled,
    placeholderData: keepPreviousData,
  });
}
