// Scenario 2: Run job from the modal → Show Jobs → the job is highlighted and turns SUCCESS by itself within 6 s of
// finishing; a failing job shows FAILURE and its traceback. Real BullMQ workers process the jobs.
import { jobKey } from '@jobscope/contract';
import type { Job } from 'bullmq';
import type { Page } from 'playwright-core';
import { jobRow, openHost, settingsPath, sleep } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const QUEUE = 'e2e-run';
let stack: Stack;
let page: Page & { errors: string[] };

async function failOnPurpose(job: Job): Promise<never> {
  await sleep(300);
  throw new Error(`requested failure ${job.data.tag}`);
}

async function slowSuccess(job: Job): Promise<{ tag: string }> {
  await job.updateProgress(10);
  await sleep(Number(job.data.sleepMs ?? 0));
  return { tag: job.data.tag };
}

beforeAll(async () => {
  stack = await startStack({ name: 'run-job' });
  stack.bull.worker(QUEUE, (job) => (job.data.fail ? failOnPurpose(job) : slowSuccess(job)));
  // The modal offers the queues the service knows; one finished job makes this queue known.
  await stack.bull.queue(QUEUE).add('seed', { tag: 'seed', sleepMs: 0 });
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

async function runJobFromModal(name: string, data: object): Promise<string> {
  // `&job=` (Show Jobs) opens that job's drawer, which covers the toolbar: close it first.
  const close = page.getByTestId('job-drawer-close');
  if ((await close.count()) > 0) {
    await close.click();
    await page.getByTestId('job-drawer').waitFor({ state: 'detached', timeout: 5_000 });
  }
  await page.getByRole('button', { name: 'Run job' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const queue = dialog.getByLabel('Queue');
  await queue.click();
  await queue.fill(QUEUE);
  await page.getByRole('option', { name: QUEUE, exact: true }).click();
  await dialog.getByLabel('Job name').fill(name);
  await dialog.getByLabel('Data (JSON)').fill(JSON.stringify(data));
  await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  const result = dialog.getByTestId('run-job-result');
  await result.waitFor({ timeout: 10_000 });
  const id = (await result.innerText()).trim();
  expect(id).toMatch(/^\S+$/);
  return id;
}

/** `&job=` of the Jobs tab holds the job's key (source, prefix, queue, id), not the bare id. */
const keyOf = (id: string) => jobKey({ source: 'bullmq', prefix: stack.prefix, queue: QUEUE, id });

test('a job run from the modal is highlighted in Jobs and turns SUCCESS on its own within 6 s of finishing', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await page.locator(`[data-testid="job-row"][data-queue="${QUEUE}"]`).first().waitFor({ timeout: 15_000 });

  const id = await runJobFromModal('e2e-slow', { tag: 'slow', sleepMs: 5000 });
  const post = stack.preview.proxyLog.find((r) => r.method === 'POST');
  expect(post).toMatchObject({ path: 'api/jobs', status: 201 });

  await page.getByRole('dialog').getByRole('button', { name: 'Show Jobs' }).click();
  await page.waitForURL((u) => u.searchParams.get('tab') === 'jobs' && u.searchParams.get('job') === keyOf(id));
  const row = jobRow(page, id);
  await row.waitFor({ timeout: 6_000 });
  expect(await row.getAttribute('data-highlighted')).toBe('true');
  expect(['PENDING', 'RUNNING']).toContain(await row.getAttribute('data-state'));

  // From here on the test only watches: no click, no reload.
  const navigations: string[] = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));
  await jobRow(page, id, 'SUCCESS').waitFor({ timeout: 20_000 });
  const seenAt = Date.now();
  const job = await stack.bull.queue(QUEUE).getJob(id);
  expect(job?.finishedOn).toBeDefined();
  const lagMs = seenAt - job!.finishedOn!;
  console.log(`[e2e] SUCCESS shown ${lagMs} ms after the job finished`);
  expect(lagMs).toBeLessThanOrEqual(6_000);
  expect(navigations).toEqual([]);
  expect(await jobRow(page, id).getAttribute('data-highlighted')).toBe('true');
  expect(await jobRow(page, id).getByTestId('job-state').innerText()).toBe('SUCCESS');
});

test('a failing job shows FAILURE and its traceback', async () => {
  const id = await runJobFromModal('e2e-fail', { tag: 'boom-42', fail: true });
  await page.getByRole('dialog').getByRole('button', { name: 'Show Jobs' }).click();
  await page.waitForURL((u) => u.searchParams.get('job') === keyOf(id));
  const row = jobRow(page, id, 'FAILURE');
  await row.waitFor({ timeout: 10_000 });
  expect(await row.getByTestId('job-state').innerText()).toBe('FAILURE');

  // The job named by `&job=` starts expanded; open it only if it is not.
  if ((await row.getAttribute('aria-expanded')) !== 'true') {
    await row.click();
  }
  const details = page.getByTestId('job-details');
  await details.waitFor({ timeout: 5_000 });
  // The drawer may have read the job while it still ran; its detail refreshes every 2 s while the job is live, so
  // the failure reaches it within one refresh of the row's FAILURE.
  const deadline = Date.now() + 6_000;
  let text = await details.innerText();
  while (!text.includes('failOnPurpose') && Date.now() < deadline) {
    await sleep(100);
    text = await details.innerText();
  }
  expect(text).toContain('requested failure boom-42');
  // The traceback names the processor function that threw.
  expect(text).toContain('failOnPurpose');
  expect(page.errors).toEqual([]);
});
