// Page-level helpers over the DOM hooks the plugin promises (data-testid, roles, labels).
import type { Locator, Page } from 'playwright-core';
import type { PreviewServer } from '../../../preview/preview-server';

/**
 * The browser globals the tests read inside page.evaluate/waitForFunction (tests/ compiles without the DOM lib;
 * these callbacks run in the page, so only a type is needed here).
 */
export interface PageGlobals {
  __jobscopeHost?: {
    ready: boolean;
    error: string | null;
    theme: string;
    role: string;
    login: string;
    /** bootData.user.permissions (action → true), as the plugin's hasPermission checks see them. */
    permissions: Record<string, boolean>;
    errorAlerts: Array<{ url: string; status: number; message: string }>;
    /** Every toast published through appEvents (kept after it vanishes from the page). */
    toasts: HostToast[];
    grafanaVersion: string;
    reactVersion: string;
    addedLinks(extensionPointId: string, context: object): Array<{ title: string; path: string }>;
    openAddedLink(extensionPointId: string, context: object, index?: number): string;
    navigate(path: string): void;
  };
  __noReload?: boolean;
  document: {
    querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
    body: object;
  };
  getComputedStyle(element: object): { backgroundColor: string };
  fetch(url: string, init?: object): Promise<{ status: number; json(): Promise<unknown> }>;
}

export interface HostToast {
  id: number;
  at: number;
  severity: 'success' | 'warning' | 'error' | 'info';
  title: string;
  text: string;
}

export const settingsPath = (pluginId: string, query = '') => `/a/${pluginId}/settings${query}`;

/** The plugin's links for an extension point, resolved by the host page as Grafana's extension registry does. */
export function addedLinks(page: Page, extensionPointId: string, context: object): Promise<Array<{ title: string; path: string }>> {
  return page.evaluate(([point, ctx]) => (globalThis as unknown as PageGlobals).__jobscopeHost!.addedLinks(point, ctx), [extensionPointId, context] as const);
}

/** Follows link #index of `addedLinks` (client-side, as a click in Grafana); resolves to its path. */
export function openAddedLink(page: Page, extensionPointId: string, context: object, index = 0): Promise<string> {
  return page.evaluate(
    ([point, ctx, i]) => (globalThis as unknown as PageGlobals).__jobscopeHost!.openAddedLink(point, ctx, i),
    [extensionPointId, context, index] as const
  );
}

/** Opens a host URL and waits until the plugin is loaded (or fails with the host's error). */
export async function openHost(page: Page, preview: PreviewServer, pathAndQuery: string): Promise<void> {
  await page.goto(`${preview.url}${pathAndQuery}`);
  await waitForHost(page);
}

/** Waits until the host page has loaded the plugin, or throws the host's start-up error. */
export async function waitForHost(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const h = (globalThis as unknown as PageGlobals).__jobscopeHost;
      return !!h && (h.ready || !!h.error);
    },
    undefined,
    { timeout: 30_000 }
  );
  const error = await page.evaluate(() => (globalThis as unknown as PageGlobals).__jobscopeHost?.error ?? null);
  if (error) {
    throw new Error(`the preview host failed to load the plugin: ${error}`);
  }
}

export function tab(page: Page, name: 'General' | 'Jobs' | 'Queues'): Locator {
  return page.getByRole('tab', { name, exact: false });
}

/** Waits until `name` is the selected tab (aria-selected, as Grafana's Tab renders it). */
export async function selectedTab(page: Page, name: 'General' | 'Jobs' | 'Queues', timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    (n) =>
      Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('[role="tab"][aria-selected="true"]')).some((t) =>
        (t.textContent ?? '').trim().startsWith(n)
      ),
    name,
    { timeout }
  );
}

/** Anything the Jobs tab renders once it has data, an empty list, or an error. */
export function jobsContent(page: Page): Locator {
  return page.locator('[data-testid="jobs-updated"], [data-testid="jobs-empty"], [data-testid="job-row"], [data-testid="jobs-error-banner"]').first();
}

export function jobRow(page: Page, id: string, state?: string): Locator {
  return page.locator(`[data-testid="job-row"][data-job-id="${id}"]${state ? `[data-state="${state}"]` : ''}`);
}

export function urlTab(page: Page): string | null {
  return new URL(page.url()).searchParams.get('tab');
}

/** The time a row first shows `state` (polls the DOM every 50 ms, without interacting). */
export async function timeWhenRowState(page: Page, id: string, state: string, timeoutMs: number): Promise<number> {
  await jobRow(page, id, state).waitFor({ state: 'attached', timeout: timeoutMs });
  return Date.now();
}

/** Sets a marker on the page's window: it survives client-side navigation and disappears on a reload. */
export async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).__noReload = true;
  });
}

export async function wasReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__noReload !== true);
}

/** Error toasts Grafana would have shown (failed requests that did not set showErrorAlert: false). */
export async function errorToasts(page: Page): Promise<Array<{ url: string; status: number; message: string }>> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__jobscopeHost?.errorAlerts ?? []);
}

/** Toasts the plugin raised through Grafana's appEvents (alert-success & co.), in order. */
export async function appToasts(page: Page): Promise<HostToast[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__jobscopeHost?.toasts ?? []);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A query parameter of the page's current URL (null when absent). */
export function urlParam(page: Page, key: string): string | null {
  return new URL(page.url()).searchParams.get(key);
}

/** Waits until the URL's `key` parameter is `value` (null: absent). */
export async function waitForUrlParam(page: Page, key: string, value: string | null, timeout = 5_000): Promise<void> {
  await page.waitForURL((u) => u.searchParams.get(key) === value, { timeout });
}

/** The job drawer (`job-drawer`, rendered in a portal), optionally for one job key. */
export function jobDrawer(page: Page, key?: string): Locator {
  return page.locator(`[data-testid="job-drawer"]${key === undefined ? '' : `[data-job-key="${key}"]`}`);
}

/** Job keys of the Jobs table's rows, in order. */
export async function rowKeys(page: Page): Promise<string[]> {
  return page.locator('[data-testid="job-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-job-key') ?? ''));
}
