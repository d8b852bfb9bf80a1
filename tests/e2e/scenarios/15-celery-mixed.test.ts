// Scenario 15: BullMQ and Celery in one table. The service reads BullMQ (database 0) and Celery (database 1, a real
// Celery 5 worker with -E from scripts/celery) on the stack's redis-server. The Jobs tab lists both in one order by
// state (RUNNING → PENDING → … → FAILURE → SUCCESS), each row tagged with its source; the Source filter keeps one
// source (in the URL); a Celery row's menu offers only what Celery can do (no Remove, no Promote), a BullMQ row's
// the rest. Skipped, saying why, where /usr/bin/python3 has no Celery (CI installs python3-celery).
import { JOB_STATES, type JobState, type StatusResponse, API_PATHS } from '@jobscope/contract';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CeleryWorker, celeryMissing, celeryOracle } from '../../../scripts/lib/celery-worker';
import { TEST_IDS } from '../../../grafana-plugin/src/components/testIds';
import { openHost, rowKeys, settingsPath, sleep, waitForUrlParam } from '../support/jobs-page';
import { liveMode } from '../support/live';
import { e2eHost } from '../support/host';
import { ARTIFACTS } from '../support/paths';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const missing = celeryMissing();
if (missing) {
  console.log(`[e2e] scenario 15 skipped: ${missing}`);
}
const describeWithCelery = missing ? describe.skip : describe;

const rowSelector = `[data-testid="${TEST_IDS.jobRow}"]`;

describeWithCelery('BullMQ and Celery in one Jobs tab', () => {
  let stack: Stack;
  let worker: CeleryWorker;
  let page: Page & { errors: string[] };
  let releaseBull: () => void = () => undefined;
  const bullHeld = new Promise<void>((resolve) => (releaseBull = resolve));
  const celeryIds: Record<'ok' | 'failed' | 'running', string> = { ok: '', failed: '', running: '' };

  const send = (task: string, args: unknown[]) =>
    celeryOracle<{ id: string }>(stack.celeryUrl!, { op: 'send', task: `jobscope_tasks.${task}`, args }).then((r) => r.id);

  beforeAll(async () => {
    stack = await startStack({ name: 'celery-mixed', celery: true });
    worker = await CeleryWorker.start({ brokerUrl: stack.celeryUrl!, hostname: 'e2e@jobscope', events: true });
    celeryIds.ok = await send('add', [2, 3]);
    celeryIds.failed = await send('fail', ['celery says no']);
    celeryIds.running = await send('slow', [60]);
    const q = stack.bull.queue('mixed');
    await q.add('bull-ok', {}, { jobId: 'b-ok' });
    await q.add('bull-fail', {}, { jobId: 'b-fail' });
    await q.add('bull-hold', {}, { jobId: 'b-hold' });
    stack.bull.worker('mixed', async (job) => {
      if (job.id === 'b-fail') throw new Error('bullmq says no');
      if (job.id === 'b-hold') await bullHeld;
      return 'ok';
    });
    await stack.bull.queue('mixed-idle').add('bull-waiting', {}, { jobId: 'b-wait' });
    // Until the service lists all of them in the states they reached.
    const want = new Map<string, JobState>([
      [`celery:${celeryIds.ok}`, 'SUCCESS'],
      [`celery:${celeryIds.failed}`, 'FAILURE'],
      [`celery:${celeryIds.running}`, 'RUNNING'],
      ['bullmq:b-ok', 'SUCCESS'],
      ['bullmq:b-fail', 'FAILURE'],
      ['bullmq:b-hold', 'RUNNING'],
      ['bullmq:b-wait', 'PENDING'],
    ]);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = (await (await fetch(`${stack.service.url}${API_PATHS.status}?limit=50`)).json()) as StatusResponse;
      const seen = new Map(status.jobs.map((j) => [`${j.source}:${j.id}`, j.state]));
      if ([...want].every(([k, state]) => seen.get(k) === state)) break;
      if (Date.now() > deadline) {
        throw new Error(`the service did not list every job in its state: ${JSON.stringify([...seen])}`);
      }
      await sleep(300);
    }
    page = await stack.newPage();
  });

  afterAll(async () => {
    releaseBull();
    await worker?.stop(5000);
    await stack?.stop();
  });

  const rows = () =>
    page.locator(rowSelector).evaluateAll((els) =>
      els.map((e) => ({ key: e.getAttribute('data-job-key') ?? '', state: e.getAttribute('data-state') ?? '', text: e.textContent ?? '' }))
    );

  test('one list sorted by state across both sources, each row tagged with its source', async () => {
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await page.locator(`${rowSelector}[data-job-key^="celery:"]`).first().waitFor({ timeout: 15_000 });
    await page.locator(`${rowSelector}[data-job-key^="bullmq:"]`).first().waitFor({ timeout: 15_000 });
    const listed = await rows();
    const ranks = listed.map((r) => JOB_STATES.indexOf(r.state as JobState));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const state of ['RUNNING', 'FAILURE', 'SUCCESS']) {
      const sources = new Set(listed.filter((r) => r.state === state).map((r) => r.key.split(':')[0]));
      expect([state, [...sources].sort()]).toEqual([state, ['bullmq', 'celery']]);
    }
    expect(listed.find((r) => r.key.endsWith(`:${celeryIds.failed}`))?.state).toBe('FAILURE');
    expect(page.errors).toEqual([]);
  });

  test('the Source column names each row\'s source; the Source filter keeps one (in the URL) and clears back', async () => {
    const cells = await page.getByTestId(TEST_IDS.jobSource).evaluateAll((els) => els.map((e) => [e.getAttribute('data-source'), e.textContent?.trim()]));
    expect(new Set(cells.map(([source, text]) => `${source}=${text}`))).toEqual(new Set(['bullmq=BullMQ', 'celery=Celery']));

    const filter = page.getByTestId(TEST_IDS.jobsSourceFilter).getByRole('combobox');
    await filter.click();
    await page.getByRole('option', { name: 'Celery' }).click();
    await waitForUrlParam(page, 'source', 'celery');
    await page.waitForFunction((sel) => {
      const keys = Array.from((globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null }> } }).document.querySelectorAll(sel), (e) => e.getAttribute('data-job-key') ?? '');
      return keys.length > 0 && keys.every((k) => k.startsWith('celery:'));
    }, rowSelector, { timeout: 10_000 });
    const onlyCelery = await rows();
    expect(new Set(onlyCelery.map((r) => r.key.split(':')[0]))).toEqual(new Set(['celery']));
    expect(onlyCelery.map((r) => r.key.split(':').pop()).sort()).toEqual(Object.values(celeryIds).sort());

    // A shared link with the filter opens filtered.
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs&source=bullmq'));
    await page.locator(`${rowSelector}[data-job-key^="bullmq:"]`).first().waitFor({ timeout: 10_000 });
    expect(new Set((await rows()).map((r) => r.key.split(':')[0]))).toEqual(new Set(['bullmq']));
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await page.locator(`${rowSelector}[data-job-key^="celery:"]`).first().waitFor({ timeout: 10_000 });
  });

  test('a failed Celery task offers Retry but not Remove or Promote; a failed BullMQ job offers Remove too', async () => {
    const menuItems = async (keyPrefix: string, id: string) => {
      const row = page.locator(`${rowSelector}[data-job-key^="${keyPrefix}"][data-job-key$=":${id}"]`);
      const button = row.getByTestId(TEST_IDS.jobActionsMenu);
      await button.click();
      const menu = page.getByRole('menu');
      await menu.waitFor({ timeout: 5_000 }).catch(async (err: Error) => {
        // What the page showed (the button's aria-expanded, the rows, a screenshot), so a failure says where the click went.
        const seen = { url: page.url(), expanded: await button.getAttribute('aria-expanded'), mode: await liveMode(page), rows: await rowKeys(page) };
        await page.screenshot({ path: path.join(ARTIFACTS, `celery-mixed-menu-${e2eHost()}.png`) });
        throw new Error(`${err.message}\n${JSON.stringify(seen)}`);
      });
      const items = (await menu.getByRole('menuitem').allTextContents()).map((t) => t.trim());
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden', timeout: 5_000 });
      return items;
    };
    const celeryItems = await menuItems('celery:', celeryIds.failed);
    expect(celeryItems.some((t) => /retry/i.test(t))).toBe(true);
    expect(celeryItems.some((t) => /remove|promote/i.test(t))).toBe(false);
    const bullItems = await menuItems('bullmq:', 'b-fail');
    expect(bullItems.some((t) => /retry/i.test(t))).toBe(true);
    expect(bullItems.some((t) => /remove/i.test(t))).toBe(true);
    expect(page.errors).toEqual([]);
  });
});
