// Scenario 3: a job added straight through BullMQ (Queue.add, not the UI) appears on the open Jobs tab within 4 s. The
// tab is live (the preview's proxy streams like Grafana's), so the row comes from the status stream: no status poll
// reaches the proxy between the add and the row.
import type { Page } from 'playwright-core';
import { jobRow, openHost, settingsPath } from '../support/jobs-page';
import { openStreams, rowStateTime, statusRequestsBetween, waitForMode } from '../support/live';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const QUEUE = 'e2e-direct';
let stack: Stack;
let page: Page & { errors: string[] };

beforeAll(async () => {
  stack = await startStack({ name: 'direct-add' });
  await stack.bull.queue(QUEUE).add('seed', {});
  page = await stack.newPage();
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await page.locator(`[data-testid="job-row"][data-queue="${QUEUE}"]`).first().waitFor({ timeout: 15_000 });
  await waitForMode(page, 'live', 10_000);
});

afterAll(async () => {
  await stack?.stop();
});

test.each([
  ['waiting', {}, 'PENDING'],
  ['delayed', { delay: 60_000 }, 'DELAYED'],
])('a %s job added with Queue.add shows up within 4 s, without a click, through the live stream', async (_kind, opts, state) => {
  const job = await stack.bull.queue(QUEUE).add(`direct-${state.toLowerCase()}`, { via: 'Queue.add' }, opts);
  const addedAt = Date.now();
  const shownAt = await rowStateTime(page, job.id!, state, 4_000);
  console.log(`[e2e] ${state} job ${job.id} visible ${shownAt - addedAt} ms after Queue.add (live stream)`);
  expect(await jobRow(page, job.id!).getAttribute('data-queue')).toBe(QUEUE);
  // Pushed, not polled: the tab stayed live on its one stream and made no status request meanwhile.
  expect(statusRequestsBetween(stack.preview, addedAt, shownAt)).toEqual([]);
  expect(openStreams(stack.preview)).toHaveLength(1);
  expect(await page.locator('[data-testid="jobs-live-indicator"]').getAttribute('data-mode')).toBe('live');
  expect(page.errors).toEqual([]);
});
