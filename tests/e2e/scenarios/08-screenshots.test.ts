// Scenario 8: screenshots of the Jobs tab in the dark and light themes and of the Run job modal on this run's Grafana
// host, saved to tests/e2e/artifacts/. UPDATE_DOCS_SCREENSHOT=1 also refreshes the committed
// docs/jobs-tab-grafana-<version>-<theme>.png (and docs/jobs-tab.png from 13.2, dark).
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from 'bullmq';
import type { Page } from 'playwright-core';
import { ARTIFACTS, REPO_ROOT } from '../support/paths';
import { e2eHost } from '../support/host';
import { type PageGlobals, openHost, settingsPath, sleep } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

let stack: Stack;

async function report(job: Job): Promise<string> {
  for (let p = 10; p <= 100; p += 10) {
    await job.updateProgress(p);
    await sleep(1_500);
  }
  return 'report.pdf';
}

async function sendEmail(job: Job): Promise<{ sent: boolean }> {
  await sleep(200);
  if (String(job.data.to).startsWith('bounce')) {
    throw new Error(`mailbox ${job.data.to} does not exist`);
  }
  return { sent: true };
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  stack = await startStack({ name: 'screenshots' });
  const { bull } = stack;
  bull.worker('email', sendEmail, { concurrency: 4 });
  bull.worker('reports', report, { concurrency: 2 });
  await bull.queue('email').addBulk([
    { name: 'send-welcome', data: { to: 'ada@example.com' } },
    { name: 'send-welcome', data: { to: 'bounce@example.com' } },
    { name: 'send-digest', data: { to: 'team@example.com' } },
  ]);
  await bull.queue('email').add('send-reminder', { to: 'grace@example.com' }, { delay: 3_600_000 });
  await bull.queue('reports').add('monthly-report', { month: '2026-11' });
  await bull.queue('reports').add('weekly-report', { week: 48 });
  await bull.queue('reports').add('yearly-report', { year: 2026 }, { priority: 5 });
  await bull.queue('topology-discovery').add('scan-network', { site: 'dc-1' });
  await sleep(1_500); // let the workers pick up and finish the quick ones
});

afterAll(async () => {
  await stack?.stop();
});

const shotName = (theme: 'dark' | 'light') => `jobs-tab-grafana-${e2eHost()}-${theme}.png`;

async function jobsTabShot(theme: 'dark' | 'light'): Promise<{ page: Page; background: string }> {
  const page = await stack.newPage({ viewport: { width: 1400, height: 760 } });
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, `?tab=jobs&theme=${theme}`));
  await page.locator('[data-testid="job-row"][data-state="RUNNING"]').first().waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="job-row"][data-state="FAILURE"]').first().waitFor({ timeout: 15_000 });
  const { hostTheme, background } = await page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return { hostTheme: g.__jobscopeHost?.theme, background: g.getComputedStyle(g.document.body).backgroundColor };
  });
  expect(hostTheme).toBe(theme);
  await page.screenshot({ path: path.join(ARTIFACTS, shotName(theme)) });
  return { page, background };
}

test('Jobs tab in dark and light themes, and the Run job modal', async () => {
  const dark = await jobsTabShot('dark');
  const light = await jobsTabShot('light');
  // The theme really changed what is drawn (Grafana's dark canvas vs light canvas).
  expect(dark.background).not.toBe(light.background);
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
    const docs = path.join(REPO_ROOT, 'docs');
    fs.mkdirSync(docs, { recursive: true });
    for (const theme of ['dark', 'light'] as const) {
      fs.copyFileSync(path.join(ARTIFACTS, shotName(theme)), path.join(docs, shotName(theme)));
    }
    if (e2eHost() === '13.2') {
      fs.copyFileSync(path.join(ARTIFACTS, shotName('dark')), path.join(docs, 'jobs-tab.png'));
    }
  }
  await light.page.context().close();

  const page = dark.page;
  await page.getByRole('button', { name: 'Run job' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByLabel('Job name').fill('send-welcome');
  await dialog.getByLabel('Data (JSON)').fill(JSON.stringify({ to: 'linus@example.com' }, null, 2));
  const modalShot = `run-job-modal-grafana-${e2eHost()}.png`;
  await page.screenshot({ path: path.join(ARTIFACTS, modalShot) });
  for (const f of [shotName('dark'), shotName('light'), modalShot]) {
    expect(fs.statSync(path.join(ARTIFACTS, f)).size).toBeGreaterThan(10_000);
  }
  expect((page as Page & { errors: string[] }).errors).toEqual([]);
  await page.context().close();
});
