import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { JobState, StatusResponse } from '@jobscope/contract';
import type { ServiceError, StatusFilter } from '../api/client';
import { JOBS_LIMIT, statusQueryOptions } from '../api/statusQueries';
import { useDocumentVisible } from './useDocumentVisible';
import { useNow } from './useNow';
import { useStatusStream, type StreamMode } from './useStatusStream';

export const JOBS_POLL_INTERVAL_MS = 2000;
export { JOBS_LIMIT };

export interface JobsStatusOptions {
  /** One queue or a comma list. */
  queue?: string;
  state?: JobState;
  name?: string;
  from?: string;
  to?: string;
  /** Fetch and poll only while the Jobs tab is shown. */
  enabled: boolean;
  paused: boolean;
}

export interface JobsStatus {
  /** Last good reply for this filter, kept (and marked stale by the page) while later polls fail. */
  data: StatusResponse | null;
  error: ServiceError | null;
  /** Wall-clock time of the last successful reply (or pushed snapshot). */
  updatedAt: number | null;
  loading: boolean;
  now: number;
  inFlight: boolean;
  /**
   * How the table follows the service: `live` (pushed snapshots, no polling), `polling` (every 2 s: the stream is
   * unavailable or fell back), `paused`; `off` while disabled or the document is hidden.
   */
  mode: StreamMode | 'paused' | 'off';
  /** Fetches now; joins a request in flight instead of overlapping it. Never starts a second timer. */
  refresh: () => void;
}

/** Whether polls run: the tab is shown, not paused and the document visible (shared by the job drawer). */
export function usePolling(enabled: boolean, paused: boolean): boolean {
  const visible = useDocumentVisible();
  return enabled && visible && !paused;
}

/**
 * The Jobs tab's status: one `useQuery` per filter (the filter is in the key, and no placeholder from another filter is
 * shown), fetched at once on mount and on a filter change. While enabled, not paused and the document is visible it
 * follows the service — the one place that decides how:
 * - **live**: the status stream (`useStatusStream`) writes each pushed snapshot into the same cache entry, and the poll
 *   is off (no double traffic);
 * - **polling**: every 2 s by TanStack's refetch interval, while the stream is unavailable, not yet delivering, or
 *   fell back (no event within 5 s, two errors in a row; it is tried again every 30 s).
 * A hidden document, pause, leaving the tab or unmount close the stream and clear the interval (showing the document
 * again fetches at once and reopens the stream); a request in flight is never overlapped (interval ticks and `refresh`
 * join it); failures are not retried, the banner shows them and the next tick tries again.
 */
export function useJobsStatus({ queue, state, name, from, to, enabled, paused }: JobsStatusOptions): JobsStatus {
  const visible = useDocumentVisible();
  const following = enabled && visible && !paused;
  const filter = useMemo<StatusFilter>(
    () => ({ queue, state, name, from, to, limit: JOBS_LIMIT }),
    [queue, state, name, from, to]
  );
  const stream = useStatusStream(filter, following);
  const polling = following && stream.mode === 'polling';
  const query = useQuery<StatusResponse, ServiceError>({
    ...statusQueryOptions(filter),
    enabled,
    refetchInterval: polling ? JOBS_POLL_INTERVAL_MS : false,
    refetchIntervalInBackground: false,
    // Showing the browser tab again fetches at once, unless the user paused.
    refetchOnWindowFocus: !paused,
  });

  const { refetch } = query;
  const refresh = useCallback(() => {
    void refetch({ cancelRefetch: false });
  }, [refetch]);

  // Resuming fetches at once rather than waiting for the next tick.
  const wasPaused = useRef(paused);
  useEffect(() => {
    const resumed = wasPaused.current && !paused;
    wasPaused.current = paused;
    if (resumed && enabled && visible) {
      refresh();
    }
  }, [paused, enabled, visible, refresh]);

  const now = useNow(enabled && visible);
  const data = query.data ?? null;
  return {
    data,
    error: query.error ?? (data === null ? stream.error : null),
    updatedAt: data === null ? null : query.dataUpdatedAt,
    loading: query.isPending,
    now: Math.max(now, data === null ? 0 : query.dataUpdatedAt),
    inFlight: query.isFetching,
    mode: !enabled || !visible ? 'off' : paused ? 'paused' : stream.mode,
    refresh,
  };
}
