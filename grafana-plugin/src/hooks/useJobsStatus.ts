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

interface FilterResult {
  key: string;
  data: StatusResponse | null;
  error: ServiceError | null;
  updatedAt: number | null;
}

/** Polls the service's status route every 2 s for the Jobs tab, filtered by queue/state. */
export function useJobsStatus({ queue, state, enabled, paused }: JobsStatusOptions): JobsStatus {
  // Kept per filter: rows of another queue or state must never show under this filter, not even as stale.
  const [result, setResult] = useState<FilterResult | null>(null);
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
      setResult({ key, data: reply, error: null, updatedAt: Date.now() });
    } catch (e) {
      if (mounted.current && currentKey.current === key) {
        const error = toServiceError(e);
        setResult((prev) =>
          prev?.key === key ? { ...prev, error } : { key, data: null, error, updatedAt: null }
        );
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

  const current = result?.key === filterKey ? result : null;
  return {
    data: current?.data ?? null,
    error: current?.error ?? null,
    updatedAt: current?.updatedAt ?? null,
    loading: current === null,
    now: polling.now,
    inFlight: polling.inFlight,
    refresh,
  };
}
