// Scenario 4: the Jobs tab polls the status through the plugin proxy every 2 s only while it is shown. Requests are
// counted where they arrive: the preview server's plugin proxy.
import { API_PATHS } from '@jobscope/contract';
import type { Page } from 'playwright-core';
import { type PageGlobals, jobsContent, markNoReload, openHost, selectedTab, settingsPath, sleep, tab, wasReloaded } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

let stack: Stack;
let page: Page & { errors: string[] };
const STATUS = API_PATHS.status.slice(1); // path after /api/plugin-proxy/<id>/

const statusRequestsBetween = (from: number, to: number) =>
  stack.preview.proxyLog.filter((r) => r.path.startsWith(STATUS) && r.at >= from && r.at < to);

beforeAll(async () => {
  stack = await startStack({ name: 'polling' });
  await stack.bull.queue('e2e-poll').add('seed', {});
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

test('polls while Jobs is shown, stops when it is left, resumes on return', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await jobsContent(page).waitFor({ timeout: 15_000 });
  const shownAt = Date.now();
  // Every 2 s (the plugin's timer ticks each second, so a gap can stretch to ~3 s on a busy machine).
  await sleep(6_500);
  const whileShown = statusRequestsBetween(shownAt, Date.now()).length;
  expect(whileShown).toBeGreaterThanOrEqual(2);
  expect(whileShown).toBeLessThanOrEqual(5);

  await tab(page, 'General').click();
  await selectedTab(page, 'General');
  const leftAt = Date.now();
  // The General tab reads one status snapshot when it mounts (no timer); let that one land, then watch 6 s.
  await sleep(1_000);
  expect(statusRequestsBetween(leftAt, Date.now()).length).toBeLessThanOrEqual(1);
  const quietFrom = Date.now();
  await sleep(6_000);
  const quiet = statusRequestsBetween(quietFrom, Date.now());
  expect(quiet).toEqual([]);

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
  await sleep(6_000);
  expect(statusRequestsBetween(leftAt, Date.now())).toEqual([]);
  expect(await wasReloaded(page)).toBe(false);
});
