// Scenario 5: Redis stops → the Jobs tab shows the error banner and keeps its rows marked stale; Redis starts again →
// the banner clears and fresh data arrives, without a reload.
import type { Page } from 'playwright-core';
import { errorToasts, jobRow, markNoReload, openHost, settingsPath, wasReloaded } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const QUEUE = 'e2e-outage';
let stack: Stack;
let page: Page & { errors: string[] };

beforeAll(async () => {
  stack = await startStack({ name: 'redis-outage' });
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

test('banner and stale rows while Redis is down, fresh data after it is back', async () => {
  const before = await stack.bull.queue(QUEUE).add('before-outage', {}, { jobId: 'before-outage' });
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await jobRow(page, before.id!).waitFor({ timeout: 15_000 });
  await markNoReload(page);
  expect(await page.getByTestId('jobs-error-banner').count()).toBe(0);

  await stack.redis.stop();
  const stoppedAt = Date.now();
  const banner = page.getByTestId('jobs-error-banner');
  await banner.waitFor({ timeout: 15_000 });
  console.log(`[e2e] banner ${Date.now() - stoppedAt} ms after Redis stopped: ${(await banner.innerText()).replace(/\s+/g, ' ')}`);
  expect((await banner.innerText()).toLowerCase()).toMatch(/redis|unreachable/);
  await page.getByTestId('jobs-stale').waitFor({ timeout: 5_000 });
  // The last rows stay on screen while the data is stale.
  expect(await jobRow(page, before.id!).count()).toBe(1);

  await stack.redis.restart(); // same port, empty (no persistence)
  const restartedAt = Date.now();
  const after = await stack.bull.queue(QUEUE).add('after-outage', {}, { jobId: 'after-outage' });
  await jobRow(page, after.id!).waitFor({ timeout: 15_000 });
  await banner.waitFor({ state: 'detached', timeout: 10_000 });
  console.log(`[e2e] fresh row and no banner ${Date.now() - restartedAt} ms after Redis restarted`);
  expect(await page.getByTestId('jobs-stale').count()).toBe(0);
  // Redis came back empty: the pre-outage job is gone from the fresh data.
  await jobRow(page, before.id!).waitFor({ state: 'detached', timeout: 5_000 });
  expect(await wasReloaded(page)).toBe(false);
  // The outage was reported by the page's banner only: no Grafana error toast every 2 s.
  expect(await errorToasts(page)).toEqual([]);
});
