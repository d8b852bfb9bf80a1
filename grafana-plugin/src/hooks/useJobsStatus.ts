import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { JobState, StatusResponse } from '@jobscope/contract';
import { fetchStatus, ServiceError, toServiceError } from '../api/client';
import { usePolling } from './usePolling';

export const JOBS_POLL_INTERVAL_MS = 2000;
/** Jobs requested per poll: enough to find a job just enqueued, well under the service's maximum (200). */
export const JOBS_LIMIT = 100;

export interface JobsStatusOptions {
  queue?: string;
  state?: JobState;
  /** Poll only while the Jobs tab is shown. */
  enabled: boolean;
  paused: boolean;
}

export interface JobsStatus {
  /** Last good reply, kept (and marked stale by the page) while later polls fail. */
  data: StatusResponse | null;
  error: ServiceError | null;
  /** Wall-clock time of the last successful reply. */
  updatedAt: number | null;
  loading: boolean;
  now: number;
  inFlight: boolean;
  refresh: () => void;
}

/** Polls the service's status route every 2 s for the Jobs tab, filtered by queue/state. */
export function useJobsStatus({ queue, state, enabled, paused }: JobsStatusOptions): JobsStatus {
  const [data, setData] = useState<StatusResponse | null>(null);
  const [error, setError] = useState<ServiceError | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const mounted = useRef(true);
  const filterKey = `${queue ?? ''}|${state ?? ''}`;
  const currentKey = useRef(filterKey);
  useLayoutEffect(() => {
    currentKey.current = filterKey;
  }, [filterKey]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const task = useCallback(async () => {
    const key = `${queue ?? ''}|${state ?? ''}`;
    try {
      const reply = await fetchStatus({ queue, state, limit: JOBS_LIMIT });
      // A reply for a filter the user has since changed is dropped; the new filter's request follows.
      if (!mounted.current || currentKey.current !== key) {
        return;
      }
      setData(reply);
      setError(null);
      setUpdatedAt(Date.now());
    } catch (e) {
      if (mounted.current && currentKey.current === key) {
        setError(toServiceError(e));
      }
    } finally {
      if (mounted.current) {
        setLoading(false);
      }
    }
  }, [queue, state]);

  const polling = usePolling(task, { intervalMs: JOBS_POLL_INTERVAL_MS, enabled, paused });

  // A new filter is fetched at once (not on the next tick); the first render's fetch is the poller's own.
  const firstKey = useRef(filterKey);
  const { refresh } = polling;
  useEffect(() => {
    if (filterKey !== firstKey.current) {
      firstKey.current = filterKey;
      refresh();
    }
  }, [filterKey, refresh]);

  return { data, error, updatedAt, loading, now: polling.now, inFlight: polling.inFlight, refresh };
}
