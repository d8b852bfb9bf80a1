// Scenario 4: how the Jobs tab follows the service, counted where requests arrive: the preview server's plugin proxy
// (and, for the live stream, in the page too).
// - Polling (the proxy buffering whole bodies, so the live stream never delivers and the plugin falls back to polling
//   after 5 s): the status is polled every 2 s only while the tab is shown; leaving the tab or the app stops it.
// - Live (the proxy streaming like Grafana's): one stream, no polls; Pause, the browser tab hidden, leaving the tab and
//   leaving the app (unmount) close it, manual Refresh fetches once and keeps it; 50 tab switches leave no stream,
//   EventSource or timer behind.
import type { Page } from 'playwright-core';
import { type PageGlobals, jobsContent, markNoReload, openHost, selectedTab, settingsPath, sleep, tab, wasReloaded } from '../support/jobs-page';
import {
  eventually,
  instrumentPage,
  openStreams,
  pageLiveCounts,
  setDocumentHidden,
  statusRequestsBetween as statusBetween,
  streamRequestsBetween as streamsBetween,
  waitForMode,
} from '../support/live';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

let stack: Stack;
let page: Page & { errors: string[] };

const statusRequestsBetween = (from: number, to: number) => statusBetween(stack.preview, from, to);
const streamRequestsBetween = (from: number, to: number) => streamsBetween(stack.preview, from, to);

beforeAll(async () => {
  // Buffering proxy first: the polling tests see the plugin's fallback.
  stack = await startStack({ name: 'polling', proxyBuffer: true });
  await stack.bull.queue('e2e-poll').add('seed', {});
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

describe('polling (the proxy buffers, so the stream never arrives)', () => {
  test('polls while Jobs is shown, stops when it is left, resumes on return', async () => {
    const openedAt = Date.now();
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await jobsContent(page).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="jobs-live-indicator"]').getAttribute('data-mode')).toBe('polling');
    const shownAt = Date.now();
    // Every 2 s (the plugin's timer ticks each second, so a gap can stretch to ~3 s on a busy machine).
    await sleep(6_500);
    const whileShown = statusRequestsBetween(shownAt, Date.now()).length;
    expect(whileShown).toBeGreaterThanOrEqual(2);
    expect(whileShown).toBeLessThanOrEqual(5);
    // The stream was tried once, held by the proxy (nothing delivered) and given up after 5 s of silence.
    const tried = streamRequestsBetween(openedAt, Date.now());
    expect(tried).toHaveLength(1);
    expect(tried[0]).toMatchObject({ buffered: true, bytesOut: 0 });
    expect(tried[0].closedAt).not.toBeNull();
    const heldMs = tried[0].closedAt! - tried[0].at;
    console.log(`[e2e] buffered stream given up ${heldMs} ms after it opened`);
    expect(heldMs).toBeGreaterThanOrEqual(4_500);
    expect(heldMs).toBeLessThan(7_000);
    expect(tried[0].upstreamClosedAt).not.toBeNull(); // the proxy closed the service's stream with it
    expect(await page.locator('[data-testid="jobs-live-indicator"]').getAttribute('data-mode')).toBe('polling');

    await tab(page, 'General').click();
    await selectedTab(page, 'General');
    const leftAt = Date.now();
    // The General tab reads one status snapshot when it mounts (no timer); let that one land, then watch 6 s.
    await sleep(1_000);
    expect(statusRequestsBetween(leftAt, Date.now()).length).toBeLessThanOrEqual(1);
    // 4 s: longer than the widest gap between two polls (~3 s on a busy machine), so a poller left behind shows.
    const quietFrom = Date.now();
    await sleep(4_000);
    expect(statusRequestsBetween(quietFrom, Date.now())).toEqual([]);
    expect(streamRequestsBetween(leftAt, Date.now())).toEqual([]);
    expect(openStreams(stack.preview)).toEqual([]);

    await tab(page, 'Jobs').click();
    const backAt = Date.now();
    await jobsContent(page).waitFor({ timeout: 5_000 });
    await sleep(5_500);
    expect(statusRequestsBetween(backAt, Date.now()).length).toBeGreaterThanOrEqual(2);
    expect(page.errors).toEqual([]);
  });

  test('leaving the app from the Jobs tab (client-side, as Grafana navigates) stops polling at once', async () => {
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await jobsContent(page).waitFor({ timeout: 15_000 });
    await markNoReload(page);
    await sleep(2_500);
    await page.evaluate((to) => (globalThis as unknown as PageGlobals).__jobscopeHost!.navigate(to), `/plugins/${stack.preview.pluginId}`);
    await page.getByLabel('Service URL').waitFor({ timeout: 10_000 });
    const leftAt = Date.now();
    await sleep(4_000);
    expect(statusRequestsBetween(leftAt, Date.now())).toEqual([]);
    expect(streamRequestsBetween(leftAt, Date.now())).toEqual([]);
    // The stream still held by the buffering proxy (opened < 5 s ago) closed with the app.
    expect(openStreams(stack.preview)).toEqual([]);
    expect(await wasReloaded(page)).toBe(false);
  });
});

describe('live (the proxy streams like Grafana)', () => {
  let live: Page & { errors: string[] };

  beforeAll(async () => {
    stack.preview.proxyBuffer = false;
    await page.close();
    live = await stack.newPage();
    await instrumentPage(live);
  });

  /** Waits until the proxy holds `n` open streams; returns them. */
  const streamsOpen = async (n: number, timeoutMs = 2_000) => {
    await eventually(`${n} open stream(s) at the proxy`, () => openStreams(stack.preview).length === n, timeoutMs);
    return openStreams(stack.preview);
  };

  test('one stream and no polls while live; Pause, hidden, leaving the tab and the app close it; Refresh keeps it', async () => {
    const openedAt = Date.now();
    await openHost(live, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await jobsContent(live).waitFor({ timeout: 15_000 });
    const liveAt = await waitForMode(live, 'live', 5_000);
    console.log(`[e2e] live ${liveAt - openedAt} ms after opening the page`);
    const [stream] = await streamsOpen(1);
    expect(stream).toMatchObject({ status: 200, eventStream: true });
    expect(stream.buffered).toBeUndefined();
    expect((await pageLiveCounts(live)).open).toHaveLength(1);
    // Live: polling is off. (The mount's one status read came before.)
    const quietFrom = Date.now();
    await sleep(4_000);
    expect(statusRequestsBetween(quietFrom, Date.now())).toEqual([]);
    expect(streamRequestsBetween(quietFrom, Date.now())).toEqual([]);
    expect(stream.bytesOut).toBeGreaterThan(0);

    // Manual Refresh: one status read, the same stream kept.
    const refreshAt = Date.now();
    await live.getByRole('button', { name: 'Refresh' }).click();
    await eventually('the refresh', () => statusRequestsBetween(refreshAt, Date.now()).length >= 1, 3_000);
    await sleep(1_500);
    expect(statusRequestsBetween(refreshAt, Date.now())).toHaveLength(1);
    expect(openStreams(stack.preview)).toEqual([stream]);
    expect(streamRequestsBetween(refreshAt, Date.now())).toEqual([]);
    expect(await live.locator('[data-testid="jobs-live-indicator"]').getAttribute('data-mode')).toBe('live');

    // Pause closes it (at the proxy and in the page); nothing is requested while paused.
    await live.getByRole('button', { name: 'Pause' }).click();
    await waitForMode(live, 'paused', 2_000);
    const pausedAt = Date.now();
    await streamsOpen(0, 1_000);
    expect(stream.upstreamClosedAt).not.toBeNull();
    expect((await pageLiveCounts(live)).open).toEqual([]);
    await sleep(4_000);
    expect(statusRequestsBetween(pausedAt, Date.now())).toEqual([]);
    expect(streamRequestsBetween(pausedAt, Date.now())).toEqual([]);

    // Resume: live again on a new stream.
    await live.getByRole('button', { name: 'Resume' }).click();
    await waitForMode(live, 'live', 5_000);
    await streamsOpen(1);

    // The browser tab hidden: closed; nothing requested; visible again: it reopens.
    await setDocumentHidden(live, true);
    const hiddenAt = Date.now();
    await streamsOpen(0, 1_000);
    expect((await pageLiveCounts(live)).open).toEqual([]);
    await sleep(4_000);
    expect(statusRequestsBetween(hiddenAt, Date.now())).toEqual([]);
    expect(streamRequestsBetween(hiddenAt, Date.now())).toEqual([]);
    await setDocumentHidden(live, false);
    await waitForMode(live, 'live', 5_000);
    await streamsOpen(1);

    // Leaving the tab (JobsTab unmounts): closed; General reads its one snapshot, no stream.
    await tab(live, 'General').click();
    await selectedTab(live, 'General');
    const leftAt = Date.now();
    await streamsOpen(0, 1_000);
    await sleep(4_000);
    expect(statusRequestsBetween(leftAt, Date.now()).length).toBeLessThanOrEqual(1);
    expect(streamRequestsBetween(leftAt, Date.now())).toEqual([]);

    // Back, then leave the app client-side (the app root unmounts): closed, no reload.
    await tab(live, 'Jobs').click();
    await waitForMode(live, 'live', 5_000);
    await streamsOpen(1);
    await markNoReload(live);
    await live.evaluate((to) => (globalThis as unknown as PageGlobals).__jobscopeHost!.navigate(to), `/plugins/${stack.preview.pluginId}`);
    await live.getByLabel('Service URL').waitFor({ timeout: 10_000 });
    const outAt = Date.now();
    await streamsOpen(0, 1_000);
    expect((await pageLiveCounts(live)).open).toEqual([]);
    await sleep(4_000);
    expect(statusRequestsBetween(outAt, Date.now())).toEqual([]);
    expect(streamRequestsBetween(outAt, Date.now())).toEqual([]);
    expect(await wasReloaded(live)).toBe(false);
    expect(live.errors).toEqual([]);
  });

  test('50 switches between Jobs and General leave no stream, EventSource or timer behind', async () => {
    await openHost(live, stack.preview, settingsPath(stack.preview.pluginId, '?tab=general'));
    await selectedTab(live, 'General');
    await sleep(1_500);
    const before = await pageLiveCounts(live);
    const from = Date.now();
    for (let i = 0; i < 50; i++) {
      await tab(live, 'Jobs').click();
      await selectedTab(live, 'Jobs');
      // Every other time, wait until it is live, so streams really open (and not only get created and dropped).
      if (i % 2 === 0) {
        await waitForMode(live, 'live', 5_000);
      }
      await tab(live, 'General').click();
      await selectedTab(live, 'General');
    }
    const doneAt = Date.now();
    const opened = streamRequestsBetween(from, doneAt);
    console.log(`[e2e] 50 switches in ${doneAt - from} ms: ${opened.length} streams reached the proxy`);
    expect(opened.length).toBeGreaterThanOrEqual(25);
    expect(opened.length).toBeLessThanOrEqual(50);
    await streamsOpen(0, 2_000);
    expect(opened.every((r) => r.closedAt !== null && r.upstreamClosedAt !== null)).toBe(true);

    const after = await pageLiveCounts(live);
    expect(after.created - before.created).toBeGreaterThanOrEqual(opened.length);
    expect(after.open).toEqual([]);
    // No polling interval or stream timer (5 s watchdog, 30 s retry) survived; the other timers are as before.
    expect(after.intervals).toEqual(before.intervals);
    const streamTimers = (t: number[]) => t.filter((ms) => ms === 5_000 || ms === 30_000 || ms === 2_000);
    expect(streamTimers(after.timeouts)).toEqual(streamTimers(before.timeouts));
    // And nothing is requested afterwards (General's mount read aside).
    await sleep(1_000);
    const quietFrom = Date.now();
    await sleep(4_000);
    expect(statusRequestsBetween(quietFrom, Date.now())).toEqual([]);
    expect(streamRequestsBetween(doneAt, Date.now())).toEqual([]);
    expect(live.errors).toEqual([]);
  });
});
