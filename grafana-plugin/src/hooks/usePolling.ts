import { useCallback, useEffect, useRef, useState } from 'react';
import { useDocumentVisible } from './useDocumentVisible';

export interface PollingOptions {
  /** Time between the starts of two runs. */
  intervalMs: number;
  /** Polling runs only while enabled (e.g. while its tab is shown); disabling clears the timer. */
  enabled: boolean;
  /** Paused: no automatic runs, but the clock keeps ticking and `refresh()` still works. */
  paused?: boolean;
  /** Granularity of the single timer; also how often `now` advances (for "updated N s ago"). */
  clockMs?: number;
}

export interface Polling {
  /** Runs the task now, or right after the run in flight ends. Never starts a second timer. */
  refresh: () => void;
  /** Advances every clockMs while the timer runs. */
  now: number;
  inFlight: boolean;
  /** True when the timer is running (enabled and the document is visible). */
  active: boolean;
}

/**
 * Runs `task` at once when enabled, then every `intervalMs` while enabled, not paused and the document is visible.
 * One interval timer (at clockMs) drives both the runs and the clock, so a mounted poller owns at most one timer.
 * A run is skipped while the previous one is still in flight (no overlapping requests).
 */
export function usePolling(task: () => Promise<void>, options: PollingOptions): Polling {
  const { intervalMs, enabled, paused = false, clockMs = 1000 } = options;
  const visible = useDocumentVisible();
  const [now, setNow] = useState(() => Date.now());
  const [inFlight, setInFlight] = useState(false);

  const taskRef = useRef(task);
  const pausedRef = useRef(paused);
  const inFlightRef = useRef(false);
  const refreshQueued = useRef(false);
  const lastStart = useRef<number | null>(null);
  const mounted = useRef(true);

  useEffect(() => {
    taskRef.current = task;
  }, [task]);

  const run = useCallback(async (): Promise<void> => {
    if (inFlightRef.current) {
      return;
    }
    inFlightRef.current = true;
    setInFlight(true);
    try {
      // A refresh asked for while a run was in flight runs right after it, in this same loop (never overlapping).
      do {
        refreshQueued.current = false;
        lastStart.current = Date.now();
        try {
          await taskRef.current();
        } catch {
          // The task reports its own errors; a throwing task must not stop the polling.
        }
      } while (refreshQueued.current && mounted.current);
    } finally {
      inFlightRef.current = false;
      if (mounted.current) {
        setInFlight(false);
        setNow(Date.now());
      }
    }
  }, []);

  const refresh = useCallback(() => {
    if (inFlightRef.current) {
      refreshQueued.current = true;
      return;
    }
    void run();
  }, [run]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      refreshQueued.current = false;
    };
  }, []);

  // Resuming fetches at once rather than waiting for the next tick.
  useEffect(() => {
    const wasPaused = pausedRef.current;
    pausedRef.current = paused;
    if (wasPaused && !paused && enabled && visible) {
      refresh();
    }
  }, [paused, enabled, visible, refresh]);

  const active = enabled && visible;
  useEffect(() => {
    if (!active) {
      return;
    }
    if (!pausedRef.current) {
      refresh();
    }
    const id = setInterval(() => {
      const t = Date.now();
      setNow(t);
      // Half a tick of slack: the run that started with this timer began a few ms after it, and must not slip a
      // whole tick (a 2 s poll would become 3 s).
      const due = lastStart.current === null || t - lastStart.current >= intervalMs - clockMs / 2;
      if (!pausedRef.current && due) {
        void run();
      }
    }, clockMs);
    return () => clearInterval(id);
  }, [active, intervalMs, clockMs, run, refresh]);

  return { refresh, now, inFlight, active };
}
