// Scenario 3: a job added straight through BullMQ (Queue.add, not the UI) appears on the open Jobs tab within 4 s.
import type { Page } from 'playwright-core';
import { jobRow, openHost, settingsPath } from '../support/jobs-page';
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
});

afterAll(async () => {
  await stack?.stop();
});

test.each([
  ['waiting', {}, 'PENDING'],
  ['delayed', { delay: 60_000 }, 'DELAYED'],
])('a %s job added with Queue.add shows up within 4 s, without a click', async (_kind, opts, state) => {
  const job = await stack.bull.queue(QUEUE).add(`direct-${state.toLowerCase()}`, { via: 'Queue.add' }, opts);
  const addedAt = Date.now();
  await jobRow(page, job.id!, state).waitFor({ timeout: 4_000 });
  console.log(`[e2e] ${state} job ${job.id} visible ${Date.now() - addedAt} ms after Queue.add`);
  expect(await jobRow(page, job.id!).getAttribute('data-queue')).toBe(QUEUE);
  expect(page.errors).toEqual([]);
});
