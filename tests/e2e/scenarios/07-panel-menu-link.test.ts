// Scenario 7: the plugin's panel-menu link (addLink, target grafana/dashboard/panel/menu) is configured with a sample
// panel context in the page, the way Grafana's extension registry calls it, and its path opens the Jobs tab.
import type { Page } from 'playwright-core';
import { addedLinks, jobsContent, openAddedLink, openHost, selectedTab, settingsPath } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const PANEL_MENU = 'grafana/dashboard/panel/menu';

let stack: Stack;
let page: Page & { errors: string[] };

/** A PluginExtensionPanelContext as a dashboard panel querying one queue's metrics would pass it. */
const panelContext = (queue?: string) => ({
  pluginId: 'timeseries',
  id: 7,
  title: 'Failed jobs',
  timeRange: { from: 'now-1h', to: 'now' },
  timeZone: 'utc',
  dashboard: { uid: 'jobscope-overview', title: 'Jobs overview', tags: ['jobscope'] },
  targets: [{ refId: 'A', expr: queue ? `sum(jobscope_jobs{state="failed", queue="${queue}"})` : 'sum(jobscope_jobs{state="failed"})' }],
  scopedVars: {},
});

beforeAll(async () => {
  stack = await startStack({ name: 'panel-link' });
  await stack.bull.queue('e2e-link').add('seed', {});
  await stack.bull.queue('e2e-other').add('seed', {});
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

test('the panel-menu link opens the Jobs tab filtered by the panel queue', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=general'));
  await selectedTab(page, 'General');

  const links = await addedLinks(page, PANEL_MENU, panelContext('e2e-link'));
  expect(links).toHaveLength(1);
  const url = new URL(links[0].path, stack.preview.url);
  expect(url.pathname).toBe(`/a/${stack.preview.pluginId}/settings`);
  expect(url.searchParams.get('tab')).toBe('jobs');
  expect(url.searchParams.get('queue')).toBe('e2e-link');

  await openAddedLink(page, PANEL_MENU, panelContext('e2e-link'));
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs' && u.searchParams.get('queue') === 'e2e-link');
  await selectedTab(page, 'Jobs');
  await page.locator('[data-testid="job-row"][data-queue="e2e-link"]').first().waitFor({ timeout: 10_000 });
  // Filtered: the other queue's job is not listed.
  expect(await page.locator('[data-testid="job-row"][data-queue="e2e-other"]').count()).toBe(0);
  expect(page.errors).toEqual([]);
});

test('without a queue in the panel the link opens the unfiltered Jobs tab', async () => {
  const path = await openAddedLink(page, PANEL_MENU, panelContext());
  expect(path).toBe(`/a/${stack.preview.pluginId}/settings?tab=jobs`);
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs' && !u.searchParams.has('queue'));
  await jobsContent(page).waitFor({ timeout: 10_000 });
  await page.locator('[data-testid="job-row"][data-queue="e2e-other"]').first().waitFor({ timeout: 10_000 });
});
