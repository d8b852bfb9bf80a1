// Scenario 1: Settings page tabs live in the URL (?tab=jobs), open directly, and follow back/forward.
import type { Page } from 'playwright-core';
import { jobsContent, markNoReload, openHost, selectedTab, settingsPath, tab, urlTab, wasReloaded } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

let stack: Stack;
let page: Page & { errors: string[] };

// Each test starts in a fresh browser context: the plugin remembers the last tab in sessionStorage.
beforeEach(async () => {
  page = await stack.newPage();
});

afterEach(async () => {
  expect(page.errors).toEqual([]);
  await page.context().close();
});

beforeAll(async () => {
  stack = await startStack({ name: 'tabs' });
  await stack.bull.queue('e2e-tabs').add('seed', { n: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

test('clicking Jobs puts ?tab=jobs in the URL and shows the Jobs tab', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId));
  await tab(page, 'General').waitFor();
  expect(urlTab(page)).not.toBe('jobs');
  expect(await page.locator('[data-testid="job-row"], [data-testid="jobs-empty"]').count()).toBe(0);

  await tab(page, 'Jobs').click();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs', { timeout: 5_000 });
  await page.locator('[data-testid="job-row"][data-queue="e2e-tabs"]').first().waitFor({ timeout: 10_000 });
  expect(await tab(page, 'Jobs').getAttribute('aria-selected')).toBe('true');
});

test('opening ?tab=jobs directly shows the Jobs tab', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await jobsContent(page).waitFor({ timeout: 10_000 });
  expect(await tab(page, 'Jobs').getAttribute('aria-selected')).toBe('true');
  expect(await tab(page, 'General').getAttribute('aria-selected')).not.toBe('true');
});

test('back and forward switch tabs without a reload', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId));
  await selectedTab(page, 'General');
  // A marker on window survives client-side navigation only: a reload would drop it.
  await markNoReload(page);
  await tab(page, 'Jobs').click();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs');
  await tab(page, 'Queues').click();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'queues');
  await page.locator('[data-testid="queue-row"][data-queue="e2e-tabs"]').waitFor({ timeout: 10_000 });

  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs');
  await jobsContent(page).waitFor({ timeout: 10_000 });
  await selectedTab(page, 'Jobs');

  await page.goBack();
  await page.waitForURL((u) => (u.searchParams.get('tab') ?? 'general') === 'general');
  await selectedTab(page, 'General');
  expect(await page.locator('[data-testid="job-row"]').count()).toBe(0);

  await page.goForward();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs');
  await jobsContent(page).waitFor({ timeout: 10_000 });
  expect(await wasReloaded(page)).toBe(false);
});

test("a queue's count link on the Queues tab opens Jobs filtered by queue and state, client-side", async () => {
  await stack.bull.queue('e2e-tabs-other').add('other', {});
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=queues'));
  await page.locator('[data-testid="queue-row"][data-queue="e2e-tabs-other"]').waitFor({ timeout: 10_000 });
  await markNoReload(page);
  await page.getByRole('link', { name: 'e2e-tabs PENDING jobs' }).click();
  await page.waitForURL(
    (u) => u.searchParams.get('tab') === 'jobs' && u.searchParams.get('queue') === 'e2e-tabs' && u.searchParams.get('state') === 'PENDING'
  );
  await selectedTab(page, 'Jobs');
  await page.locator('[data-testid="job-row"][data-queue="e2e-tabs"][data-state="PENDING"]').first().waitFor({ timeout: 10_000 });
  expect(await page.locator('[data-testid="job-row"][data-queue="e2e-tabs-other"]').count()).toBe(0);
  expect(await wasReloaded(page)).toBe(false);
});
