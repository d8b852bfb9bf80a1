import { useEffect, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { StatusResponse } from '@jobscope/contract';
import { parseStatusResponse, ServiceError, statusStreamUrl, type StatusFilter } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { setStatusSnapshot } from '../api/statusQueries';

/** A stream that delivers no event this long after it opened (or reconnected) is given up for polling. */
export const STREAM_FIRST_EVENT_TIMEOUT_MS = 5000;
/** After falling back to polling, the stream is tried again this often. */
export const STREAM_RETRY_MS = 30_000;
/** Errors in a row (without an event in between) after which the stream is given up for polling. */
export const STREAM_MAX_ERRORS = 2;

/** `EventSource.CLOSED`. */
const EVENT_SOURCE_CLOSED = 2;

/** How the Jobs tab follows the service: pushed snapshots, or the 2 s poll. */
export type StreamMode = 'live' | 'polling';

export interface StatusStream {
  mode: StreamMode;
  /** The stream said Redis is down (`stale`) before any snapshot of this view was cached. */
  error: ServiceError | null;
}

/** EventSource exists (every browser Grafana supports; not jsdom, where the Jobs tab simply polls). */
export function streamSupported(): boolean {
  return typeof EventSource !== 'undefined';
}

/**
 * A `stale` event: the cached snapshot of the view is marked as the service marks its last good snapshot when Redis is
 * down (`stale`, `redis.ok: false` with the error), keeping its time, so the page shows its Redis banner. False when
 * nothing is cached for the view yet.
 */
function markStale(queryClient: QueryClient, filter: StatusFilter, error: string): boolean {
  const key = queryKeys.status(filter);
  const state = queryClient.getQueryState<StatusResponse>(key);
  const old = state?.data;
  if (!state || !old) {
    return false;
  }
  queryClient.setQueryData<StatusResponse>(
    key,
    { ...old, stale: true, redis: { ...old.redis, ok: false, error } },
    { updatedAt: state.dataUpdatedAt }
  );
  return true;
}

function staleMessage(data: unknown): string {
  try {
    const parsed = JSON.parse(String(data)) as { error?: unknown };
    if (typeof parsed?.error === 'string' && parsed.error !== '') {
      return parsed.error;
    }
  } catch {
    // fall through
  }
  return 'Redis is unavailable';
}

/**
 * The live stream of a status view (`GET /api/settings/jobs/stream`, Server-Sent Events through the plugin proxy)
 * while `active`. Each `snapshot` is written into the TanStack cache entry the poll of the same filter uses
 * (`setStatusSnapshot`), so every consumer of it updates; a `stale` event marks that entry stale.
 *
 * Mode: `live` once the stream delivered an event, else `polling`. No event within 5 s of opening (or of a reconnect
 * after an error), two errors in a row, or a refused stream (e.g. 503 `too_many_streams`) close it and fall back to
 * polling; it is tried again every 30 s. Becoming inactive (pause, hidden document, leaving the tab, unmount) or a
 * new filter (a new URL) closes it and clears its timers; becoming active again opens it again.
 */
export function useStatusStream(filter: StatusFilter, active: boolean): StatusStream {
  const queryClient = useQueryClient();
  const url = statusStreamUrl(filter);
  const { queue, state, name, from, to, limit } = filter;
  // The URL of the connection that is delivering events (null: none); a new URL is not live until it delivers.
  const [liveUrl, setLiveUrl] = useState<string | null>(null);
  const [staleError, setStaleError] = useState<{ url: string; error: ServiceError } | null>(null);

  useEffect(() => {
    if (!active || !streamSupported()) {
      return undefined;
    }
    const view: StatusFilter = { queue, state, name, from, to, limit };
    let source: EventSource | null = null;
    let watchdog: ReturnType<typeof setTimeout> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let errors = 0;

    const clearWatchdog = () => {
      clearTimeout(watchdog);
      watchdog = undefined;
    };
    const armWatchdog = () => {
      if (watchdog === undefined) {
        watchdog = setTimeout(fallBack, STREAM_FIRST_EVENT_TIMEOUT_MS);
      }
    };
    const close = () => {
      clearWatchdog();
      if (source) {
        source.removeEventListener('snapshot', onSnapshot);
        source.removeEventListener('stale', onStale);
        source.removeEventListener('error', onError);
        source.close();
        source = null;
      }
    };
    function fallBack() {
      close();
      setLiveUrl(null);
      clearTimeout(retry);
      retry = setTimeout(open, STREAM_RETRY_MS);
    }
    const received = () => {
      errors = 0;
      clearWatchdog();
      setLiveUrl(url);
    };
    function onSnapshot(event: Event) {
      let data: StatusResponse;
      try {
        data = parseStatusResponse(JSON.parse(String((event as MessageEvent).data)));
      } catch {
        onError(); // a payload that is not a status reply counts as an error of the stream
        return;
      }
      received();
      setStaleError(null);
      setStatusSnapshot(queryClient, view, data);
    }
    function onStale(event: Event) {
      received();
      const message = staleMessage((event as MessageEvent).data);
      if (!markStale(queryClient, view, message)) {
        setStaleError({ url, error: new ServiceError(message, 'redis', null) });
      }
    }
    function onError() {
      errors++;
      // CLOSED: the browser gave up (the service refused the stream, e.g. 503 too_many_streams); it will not reconnect.
      if (errors >= STREAM_MAX_ERRORS || source?.readyState === EVENT_SOURCE_CLOSED) {
        fallBack();
      } else {
        armWatchdog(); // it reconnects by itself (`retry: 2000`); give that 5 s to deliver an event
      }
    }
    function open() {
      retry = undefined;
      errors = 0;
      // Same origin (the plugin proxy): Grafana's session cookie goes with it.
      source = new EventSource(url);
      source.addEventListener('snapshot', onSnapshot);
      source.addEventListener('stale', onStale);
      source.addEventListener('error', onError);
      armWatchdog();
    }

    open();
    return () => {
      close();
      clearTimeout(retry);
      setLiveUrl(null);
      setStaleError(null);
    };
  }, [active, url, queue, state, name, from, to, limit, queryClient]);

  const live = active && liveUrl === url;
  return {
    mode: live ? 'live' : 'polling',
    error: active && staleError?.url === url ? staleError.error : null,
  };
}
