import { useCallback } from 'react';
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { StatusResponse } from '@jobscope/contract';
import { fetchHealth, type HealthResult, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { SNAPSHOT_FILTER, statusQueryOptions } from '../api/statusQueries';

export interface ServiceCall<T> {
  /** The newest answer; null while it failed, so an old answer never shows as if it were current. */
  data: T | null;
  error: ServiceError | null;
  loading: boolean;
  reload: () => void;
}

function useOneShot<T>(query: UseQueryResult<T, ServiceError>): ServiceCall<T> {
  const { refetch } = query;
  const reload = useCallback(() => {
    void refetch({ cancelRefetch: false });
  }, [refetch]);
  return {
    data: query.error ? null : (query.data ?? null),
    error: query.error ?? null,
    loading: query.isFetching,
    reload,
  };
}

export type StatusSnapshot = ServiceCall<StatusResponse>;

/** One status request on mount (General and Queues tabs), again on `reload()`; no timer. */
export function useStatusSnapshot(): StatusSnapshot {
  return useOneShot(useQuery<StatusResponse, ServiceError>(statusQueryOptions(SNAPSHOT_FILTER)));
}

/** One health request on mount, again on `reload()`; no timer. */
export function useHealth(): ServiceCall<HealthResult> {
  return useOneShot(useQuery<HealthResult, ServiceError>({ queryKey: queryKeys.health, queryFn: fetchHealth }));
}
