import { useQuery } from '@tanstack/react-query';
import { SEARCH_DEFAULT_WINDOW, type SearchResponse } from '@jobscope/contract';
import { searchJobs, type SearchParams, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** Jobs a search returns at most. */
export const SEARCH_LIMIT = 100;
export const SEARCH_WINDOW = SEARCH_DEFAULT_WINDOW;

/** The search route for `q` (null: no search); fetched when `q` changes and on `refetch`, never on a timer. */
export function useJobsSearch(params: Omit<SearchParams, 'limit' | 'window'> | null) {
  const search: SearchParams = { q: '', ...params, limit: SEARCH_LIMIT, window: SEARCH_WINDOW };
  return useQuery<SearchResponse, ServiceError>({
    queryKey: queryKeys.search(search),
    queryFn: () => searchJobs(search),
    enabled: params !== null && params.q !== '',
  });
}
