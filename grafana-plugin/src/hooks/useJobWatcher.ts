import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueries } from '@tanstack/react-query';
import { jobKey, parseJobKey, type JobDetail, type JobRef, type JobSummary } from '@jobscope/contract';
import { fetchJobDetail, isJobNotFound, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { FINISHED_STATES, notificationsAllowed, removeWatch, useWatches, type Watch } from '../utils/watches';
import { JOBS_POLL_INTERVAL_MS } from './useJobsStatus';

/** While the document is hidden, watched jobs are read this often (browsers throttle background timers anyway). */
export const WATCH_HIDDEN_POLL_MS = 5000;

/** What the page announces when a watched job ends. */
export interface WatchToast {
  id: number;
  key: string;
  ref: JobRef;
  name: string;
  /** SUCCESS or FAILURE; `gone` when the job vanished before it was seen finished (removed, or cleaned up at once). */
  outcome: 'SUCCESS' | 'FAILURE' | 'gone';
  /** The failure reason when known. */
  error: string | null;
}

export function watchToastTitle(t: Pick<WatchToast, 'name' | 'outcome'>): string {
  switch (t.outcome) {
    case 'SUCCESS':
      return `Job ${t.name} succeeded`;
    case 'FAILURE':
      return `Job ${t.name} failed`;
    case 'gone':
      return `Job ${t.name} is gone`;
  }
}

export function watchToastText(t: Pick<WatchToast, 'ref' | 'outcome' | 'error'>): string {
  const where = `#${t.ref.id} on queue ${t.ref.queue}`;
  if (t.outcome === 'gone') {
    return `${where} no longer exists: it was removed, or cleaned up as soon as it finished.`;
  }
  return t.error ? `${where}: ${t.error}` : where;
}

interface Options {
  /** The jobs of the current list (the Jobs tab's status reply), null while it loads. */
  listed: JobSummary[] | null;
  /** When the list was read (epoch ms). */
  listedAt: number | null;
  /** The list follows the service (live or polling: the tab is shown, not paused, the document visible). */
  listLive: boolean;
  /** The document is visible. */
  visible: boolean;
  /** Opens a job's drawer (`&job=<jobKey>`). */
  openJob: (key: string) => void;
}

export interface JobWatcher {
  toasts: WatchToast[];
  dismiss: (id: number) => void;
}

/**
 * Tells the user when a watched job finishes. A job in the current list is judged from the list (live or polled); a
 * watched job not in it — or every watched job while the list does not follow the service (paused, hidden document) —
 * has its detail read every 2 s (every 5 s while the document is hidden). A finish ends the watch and shows a toast;
 * while the document is hidden it also shows a browser notification if the user allowed them.
 */
export function useJobWatcher({ listed, listedAt, listLive, visible, openJob }: Options): JobWatcher {
  const watches = useWatches();
  const [toasts, setToasts] = useState<WatchToast[]>([]);
  const nextId = useRef(1);
  const openRef = useRef(openJob);
  useEffect(() => {
    openRef.current = openJob;
  }, [openJob]);

  const announce = useCallback((watch: Watch, outcome: WatchToast['outcome'], job: JobSummary | null) => {
    // Ending the watch first: whoever sees the finish first announces it, once.
    if (!removeWatch(watch.key)) {
      return;
    }
    const parsed = parseJobKey(watch.key);
    if (!parsed.ok) {
      return;
    }
    const toast: WatchToast = {
      id: nextId.current++,
      key: watch.key,
      ref: parsed.ref,
      name: job?.name ?? watch.name,
      outcome,
      error: outcome === 'FAILURE' ? (job?.error ?? null) : null,
    };
    setToasts((list) => [...list, toast]);
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden' && notificationsAllowed()) {
      try {
        const n = new Notification(watchToastTitle(toast), { body: watchToastText(toast), tag: toast.key });
        n.onclick = () => {
          window.focus();
          openRef.current(toast.key);
          n.close();
        };
      } catch {
        // some browsers allow notifications only from a service worker: the toast is still there
      }
    }
  }, []);

  // Watched jobs in the list, judged from the list (a reply read before the watch began does not count).
  const listedByKey = useMemo(() => new Map((listed ?? []).map((j) => [jobKey(j), j])), [listed]);
  useEffect(() => {
    if (listedAt === null) {
      return;
    }
    for (const watch of watches) {
      const job = listedByKey.get(watch.key);
      if (job && FINISHED_STATES.has(job.state) && listedAt >= watch.since) {
        announce(watch, job.state as 'SUCCESS' | 'FAILURE', job);
      }
    }
  }, [watches, listedByKey, listedAt, announce]);

  // The others, by their detail.
  const polled = listLive ? (listed === null ? [] : watches.filter((w) => !listedByKey.has(w.key))) : watches;
  const results = useQueries({
    queries: polled.map((watch) => {
      const parsed = parseJobKey(watch.key);
      return {
        queryKey: queryKeys.jobDetail(watch.key),
        queryFn: () => fetchJobDetail((parsed as { ok: true; ref: JobRef }).ref),
        enabled: parsed.ok,
        refetchInterval: visible ? JOBS_POLL_INTERVAL_MS : WATCH_HIDDEN_POLL_MS,
        // Hidden: the only reads that go on, so a finish can still raise a browser notification.
        refetchIntervalInBackground: true,
      };
    }),
  });
  useEffect(() => {
    results.forEach((r, i) => {
      const watch = polled[i];
      if (!watch) {
        return;
      }
      const detail = r.data as JobDetail | undefined;
      const fresh = r.dataUpdatedAt >= watch.since;
      if (detail && fresh && FINISHED_STATES.has(detail.state)) {
        announce(watch, detail.state as 'SUCCESS' | 'FAILURE', detail);
      } else if (isJobNotFound(r.error as ServiceError | null) && r.errorUpdatedAt >= watch.since) {
        announce(watch, 'gone', null);
      }
    });
  });

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  return { toasts, dismiss };
}
