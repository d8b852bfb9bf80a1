import type { QueryClient } from '@tanstack/react-query';
import type { StatusResponse } from '@jobscope/contract';
import { fetchStatus, type StatusFilter } from './client';
import { queryKeys } from './queryKeys';

/** Jobs requested per poll: enough to find a job just enqueued, well under the service's maximum (200). */
export const JOBS_LIMIT = 100;
/** The General and Queues tabs use only queues, Redis and versions: they ask for the smallest job list. */
export const SNAPSHOT_FILTER: StatusFilter = { limit: 1 };

/** Query options of one status request for a filter: key and fetcher stay together. */
export function statusQueryOptions(filter: StatusFilter) {
  return {
    queryKey: queryKeys.status(filter),
    queryFn: () => fetchStatus(filter),
  };
}

/**
 * Writes a status reply for a filter into the cache, as if a poll had returned it: a push stream (e.g. server-sent
 * events) can feed the Jobs tab through this without a second data path.
 */
export function setStatusSnapshot(queryClient: QueryClient, filter: StatusFilter, data: StatusResponse): void {
  queryClient.setQueryData<StatusResponse>(queryKeys.status(filter), data);
}
