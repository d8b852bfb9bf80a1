import { useSyncExternalStore } from 'react';
import { jobKey, parseJobKey, PLUGIN_ID, type JobRef, type JobState } from '@jobscope/contract';

/** sessionStorage key of the watched jobs: they survive a reload of the page, not the browser tab. */
export const WATCH_STORAGE_KEY = `${PLUGIN_ID}.watches`;
/** sessionStorage key set once the browser was asked whether the plugin may show notifications. */
export const NOTIFICATION_ASKED_KEY = `${PLUGIN_ID}.notifications-asked`;

/** A job the user asked to be told about when it finishes. */
export interface Watch {
  /** Its job key (source:prefix:queue:id). */
  key: string;
  /** Its name when the watch began (for the notification while nothing newer is known). */
  name: string;
  /** When the watch began (epoch ms): only what was read after it can end it. */
  since: number;
}

/** States in which a job has finished: a watch ends there. */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set<JobState>(['SUCCESS', 'FAILURE']);

const EMPTY: readonly Watch[] = [];
let cachedRaw: string | null = null;
let cached: readonly Watch[] = EMPTY;
const listeners = new Set<() => void>();

function isWatch(value: unknown): value is Watch {
  const w = value as Partial<Watch> | null;
  return (
    !!w &&
    typeof w.key === 'string' &&
    typeof w.name === 'string' &&
    typeof w.since === 'number' &&
    parseJobKey(w.key).ok
  );
}

function readRaw(): string | null {
  try {
    return window.sessionStorage.getItem(WATCH_STORAGE_KEY);
  } catch {
    return null; // storage disabled: no watches survive a reload, but none break the page
  }
}

/** The watched jobs (the same array until they change, as useSyncExternalStore needs). */
export function getWatches(): readonly Watch[] {
  const raw = readRaw();
  if (raw === cachedRaw) {
    return cached;
  }
  cachedRaw = raw;
  try {
    const parsed: unknown = raw === null ? [] : JSON.parse(raw);
    cached = Array.isArray(parsed) ? parsed.filter(isWatch) : EMPTY;
  } catch {
    cached = EMPTY;
  }
  return cached;
}

function write(watches: readonly Watch[]): void {
  try {
    if (watches.length === 0) {
      window.sessionStorage.removeItem(WATCH_STORAGE_KEY);
    } else {
      window.sessionStorage.setItem(WATCH_STORAGE_KEY, JSON.stringify(watches));
    }
  } catch {
    // storage disabled or full: the watch lasts as long as the page
  }
  cached = watches;
  cachedRaw = readRaw();
  listeners.forEach((l) => l());
}

export function isWatched(key: string): boolean {
  return getWatches().some((w) => w.key === key);
}

export function addWatch(ref: JobRef, name: string): void {
  const key = jobKey(ref);
  if (!isWatched(key)) {
    write([...getWatches(), { key, name, since: Date.now() }]);
  }
}

/** Ends a watch; true when there was one (so a finish is announced once, by whoever ends it first). */
export function removeWatch(key: string): boolean {
  const watches = getWatches();
  if (!watches.some((w) => w.key === key)) {
    return false;
  }
  write(watches.filter((w) => w.key !== key));
  return true;
}

export function subscribeWatches(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useWatches(): readonly Watch[] {
  return useSyncExternalStore(subscribeWatches, getWatches, () => EMPTY);
}

export function useIsWatched(key: string): boolean {
  return useWatches().some((w) => w.key === key);
}

/**
 * Asks the browser once per session whether the plugin may show notifications (on the first use of a bell, never on
 * page load: browsers ignore or penalize prompts without a user gesture).
 */
export function askNotificationPermissionOnce(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') {
    return;
  }
  try {
    if (window.sessionStorage.getItem(NOTIFICATION_ASKED_KEY) !== null) {
      return;
    }
    window.sessionStorage.setItem(NOTIFICATION_ASKED_KEY, '1');
  } catch {
    // storage disabled: ask anyway
  }
  try {
    void Promise.resolve(Notification.requestPermission()).catch(() => undefined);
  } catch {
    // very old browsers take a callback and return nothing
  }
}

/** True when a browser notification may be shown (the user allowed them). */
export function notificationsAllowed(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'granted';
}
