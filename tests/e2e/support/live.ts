// Live mode helpers: the Jobs tab's stream and polls as the preview's plugin proxy sees them, the live indicator, and
// an in-page count of EventSources and timers (installed before the plugin loads).
import { API_PATHS } from '@jobscope/contract';
import type { Page } from 'playwright-core';
import type { PreviewServer, ProxyRecord } from '../../../preview/preview-server';

/** Paths after /api/plugin-proxy/<id>/. */
export const STATUS_PATH = API_PATHS.status.slice(1);
export const STREAM_PATH = API_PATHS.stream.slice(1);

const isPath = (r: ProxyRecord, path: string) => r.path === path || r.path.startsWith(`${path}?`);

/** Status requests (polls, refreshes, mounts) that reached the proxy in [from, to). */
export function statusRequestsBetween(preview: PreviewServer, from: number, to = Date.now()): ProxyRecord[] {
  return preview.proxyLog.filter((r) => isPath(r, STATUS_PATH) && r.at >= from && r.at < to);
}

/** Stream requests (EventSource connections) that reached the proxy in [from, to). */
export function streamRequestsBetween(preview: PreviewServer, from: number, to = Date.now()): ProxyRecord[] {
  return preview.proxyLog.filter((r) => isPath(r, STREAM_PATH) && r.at >= from && r.at < to);
}

/** Stream connections the proxy holds open right now. */
export function openStreams(preview: PreviewServer): ProxyRecord[] {
  return preview.openProxyRequests().filter((r) => isPath(r, STREAM_PATH));
}

export type LiveMode = 'live' | 'polling' | 'paused';

/** The indicator's `data-mode` (null: not rendered, i.e. the document is hidden or the tab is not shown). */
export async function liveMode(page: Page): Promise<string | null> {
  const el = page.locator('[data-testid="jobs-live-indicator"]');
  return (await el.count()) === 0 ? null : el.getAttribute('data-mode');
}

/** Waits until the indicator says `mode` (checked in the page every 20 ms); returns when (the page's Date.now()). */
export async function waitForMode(page: Page, mode: LiveMode, timeout = 10_000): Promise<number> {
  const handle = await page.waitForFunction(
    (m) => {
      const doc = (globalThis as unknown as { document: { querySelector(sel: string): object | null } }).document;
      return doc.querySelector(`[data-testid="jobs-live-indicator"][data-mode="${m}"]`) ? Date.now() : 0;
    },
    mode,
    { polling: 20, timeout }
  );
  return (await handle.jsonValue()) as number;
}

/** Waits (in the test process) until `check` holds, polling every 25 ms. */
export async function eventually(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now();
}

/**
 * Counts EventSources (each one constructed; open = not CLOSED), intervals (set and not cleared) and pending timeouts
 * (with their delays) in the page. Installed with addInitScript, so it runs before the host bundle and the plugin.
 */
const INSTRUMENT = `(() => {
  const w = window;
  if (w.__e2eLive) return;
  const sources = [];
  const intervals = new Map();
  const timeouts = new Map();
  const NativeES = w.EventSource;
  if (NativeES) {
    w.EventSource = class extends NativeES {
      constructor(url, init) {
        super(url, init);
        sources.push({ url: String(url), es: this, at: Date.now() });
      }
    };
  }
  const si = w.setInterval.bind(w), ci = w.clearInterval.bind(w), st = w.setTimeout.bind(w), ct = w.clearTimeout.bind(w);
  w.setInterval = (fn, ms, ...args) => { const id = si(fn, ms, ...args); intervals.set(id, Number(ms) || 0); return id; };
  w.clearInterval = (id) => { intervals.delete(id); timeouts.delete(id); return ci(id); };
  w.setTimeout = (fn, ms, ...args) => {
    let id;
    id = st((...a) => { timeouts.delete(id); if (typeof fn === 'function') fn(...a); }, ms, ...args);
    timeouts.set(id, Number(ms) || 0);
    return id;
  };
  w.clearTimeout = (id) => { timeouts.delete(id); intervals.delete(id); return ct(id); };
  w.__e2eLive = {
    created: () => sources.length,
    open: () => sources.filter((s) => s.es.readyState !== 2).map((s) => s.url),
    intervals: () => [...intervals.values()].sort((a, b) => a - b),
    timeouts: () => [...timeouts.values()].sort((a, b) => a - b),
  };
})();`;

export async function instrumentPage(page: Page): Promise<void> {
  await page.addInitScript({ content: INSTRUMENT });
}

export interface PageLiveCounts {
  /** EventSources constructed so far. */
  created: number;
  /** URLs of those not CLOSED. */
  open: string[];
  /** Delays of the intervals not cleared. */
  intervals: number[];
  /** Delays of the timeouts pending. */
  timeouts: number[];
}

export async function pageLiveCounts(page: Page): Promise<PageLiveCounts> {
  return page.evaluate(() => {
    const l = (globalThis as unknown as { __e2eLive: { [k in keyof PageLiveCounts]: () => PageLiveCounts[k] } }).__e2eLive;
    return { created: l.created(), open: l.open(), intervals: l.intervals(), timeouts: l.timeouts() };
  });
}

/**
 * Makes the page's document report `hidden` (or `visible` again) and fires `visibilitychange`, as a browser does when
 * its tab goes to the background. Headless Chromium keeps every page visible (another tab brought to front or a
 * minimized window changes nothing), so the state is set on `document`, where the plugin (TanStack's focus manager)
 * reads it.
 */
export async function setDocumentHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    const doc = (globalThis as unknown as { document: object & { dispatchEvent(e: unknown): boolean } }).document;
    Object.defineProperty(doc, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(doc, 'hidden', { configurable: true, get: () => h });
    const EventCtor = (globalThis as unknown as { Event: new (type: string) => unknown }).Event;
    doc.dispatchEvent(new EventCtor('visibilitychange'));
  }, hidden);
}

/**
 * When (the page's Date.now(), the same clock as the test's) a row first shows `state`, checked in the page every
 * 20 ms. (A locator's waitFor backs off to checks 500 ms apart, too coarse to time a push.)
 */
export async function rowStateTime(page: Page, id: string, state: string, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(
    ([i, s]) => {
      const doc = (globalThis as unknown as { document: { querySelector(sel: string): object | null } }).document;
      return doc.querySelector(`[data-testid="job-row"][data-job-id="${i}"][data-state="${s}"]`) ? Date.now() : 0;
    },
    [id, state] as const,
    { polling: 20, timeout: timeoutMs }
  );
  return (await handle.jsonValue()) as number;
}
