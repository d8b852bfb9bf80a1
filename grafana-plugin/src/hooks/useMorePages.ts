import { useCallback, useState } from 'react';
import { jobKey, type JobSummary, type StatusResponse } from '@jobscope/contract';
import { fetchStatus, toServiceError, type ServiceError, type StatusFilter } from '../api/client';
import { queryKeys } from '../api/queryKeys';

interface Pages {
  key: string;
  pages: StatusResponse[];
  loading: boolean;
  error: ServiceError | null;
}

export interface MorePages {
  /** First page's jobs, then every loaded page's, each job once (a job that moved up into the first page shows there). */
  jobs: JobSummary[];
  /** Cursor of the next page; null when there is none (or the view has no state). */
  nextCursor: string | null;
  /** Pages loaded after the first. */
  loaded: number;
  loading: boolean;
  error: ServiceError | null;
  loadMore: () => void;
}

/**
 * "Load more" for single-state views: follows `nextCursor` and appends each page after the polled first page. The
 * appended pages are not polled; a change of filter drops them (they belong to another view).
 */
export function useMorePages(filter: StatusFilter, first: StatusResponse | null): MorePages {
  const key = JSON.stringify(queryKeys.status(filter));
  const [state, setState] = useState<Pages>({ key, pages: [], loading: false, error: null });
  const current: Pages = state.key === key ? state : { key, pages: [], loading: false, error: null };
  if (state.key !== key) {
    // A new filter: reset during render (React's documented pattern for state derived from props).
    setState(current);
  }
  const last = current.pages.at(-1) ?? first;
  const nextCursor = filter.state === undefined ? null : (last?.nextCursor ?? null);

  const { loading } = current;
  const filterJson = key;
  const loadMore = useCallback(() => {
    if (nextCursor === null || loading) {
      return;
    }
    const request: StatusFilter = { ...filter, cursor: nextCursor };
    setState((s) => (s.key === filterJson ? { ...s, loading: true, error: null } : s));
    fetchStatus(request).then(
      (page) => setState((s) => (s.key === filterJson ? { ...s, pages: [...s.pages, page], loading: false } : s)),
      (e: unknown) => setState((s) => (s.key === filterJson ? { ...s, loading: false, error: toServiceError(e) } : s))
    );
    // `filter` is described by `filterJson`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterJson, nextCursor, loading]);

  const seen = new Set<string>();
  const jobs: JobSummary[] = [];
  for (const job of [...(first?.jobs ?? []), ...current.pages.flatMap((p) => p.jobs)]) {
    const k = jobKey(job);
    if (!seen.has(k)) {
      seen.add(k);
      jobs.push(job);
    }
  }
  return { jobs, nextCursor, loaded: current.pages.length, loading, error: current.error, loadMore };
}
