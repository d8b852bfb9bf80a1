// Scenario 13: live mode against real BullMQ workers, through the preview's plugin proxy streaming like Grafana's.
// - A job's SUCCESS is on the page within 1.5 s of the worker's `completed` event, pushed by the stream (no poll).
// - The proxy switched to buffering (its open stream cut, as a proxy restart would): the plugin falls back to polling
//   within 6 s (the indicator says so) and the table still follows BullMQ.
// - A watched job (bell in its row) that a worker finishes raises `watch-toast`, whose "Open job" opens its drawer.
// - Export: the CSV and JSON downloaded (a real browser download) hold exactly the jobs of the table's filter
//   (state=FAILURE on one queue = BullMQ's getFailed of that queue).
import fs from 'node:fs';
import { EXPORT_COLUMNS, jobKey } from '@jobscope/contract';
import type { Job } from 'bullmq';
import type { Page } from 'playwright-core';
import { jobDrawer, jobRow, openHost, rowKeys, settingsPath, sleep } from '../support/jobs-page';
import { eventually, liveMode, openStreams, rowStateTime, statusRequestsBetween, STREAM_PATH, waitForMode } from '../support/live';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const LIVE_Q = 'e2e-live';
const EXPORT_Q = 'e2e-export';
const OTHER_Q = 'e2e-export-other';
let stack: Stack;
let page: Page & { errors: string[] };

/** Jobs held by the worker until the test releases them (so the page first shows them RUNNING). */
const gates = new Map<string, () => void>();
const completedAt = new Map<string, number>();

function gate(job: Job): Promise<{ ok: true }> {
  return new Promise((resolve) => gates.set(job.id!, () => resolve({ ok: true })));
}

async function release(id: string): Promise<void> {
  await eventually(`job ${id} running in the worker`, () => gates.has(id), 10_000);
  gates.get(id)!();
}

beforeAll(async () => {
  stack = await startStack({ name: 'live' });
  const worker = stack.bull.worker(LIVE_Q, (job) => gate(job), { concurrency: 4 });
  worker.on('completed', (job) => completedAt.set(job.id!, Date.now()));
  await stack.bull.queue(LIVE_Q).add('seed', {});
  await release('1');
  page = await stack.newPage();
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await jobRow(page, '1', 'SUCCESS')
    .waitFor({ timeout: 15_000 })
    .catch(async (err: Error) => {
      // What the page and the proxy saw, so a failure on CI says where the job got lost.
      const seen = { mode: await liveMode(page), rows: await rowKeys(page), requests: stack.preview.proxyLog.map((r) => `${r.at} ${r.path}`) };
      throw new Error(`${err.message}\n${JSON.stringify({ ...seen, errors: page.errors })}`);
    });
});

afterAll(async () => {
  for (const open of gates.values()) {
    open();
  }
  await stack?.stop();
});

test('live: a job SUCCESS is shown within 1.5 s of the worker finishing it, pushed by the stream', async () => {
  await waitForMode(page, 'live', 10_000);
  expect(openStreams(stack.preview)).toHaveLength(1);
  for (const n of [1, 2, 3, 4, 5]) {
    const job = await stack.bull.queue(LIVE_Q).add(`live-${n}`, { n });
    await jobRow(page, job.id!, 'RUNNING').waitFor({ timeout: 5_000 });
    // The RUNNING snapshot came on a stream tick: finish at a different point of the 1 s interval each time (0…0.8 s
    // after it), so the worst case (a finish just after a tick waits a whole interval) is among them.
    await sleep((n - 1) * 200);
    await release(job.id!);
    const shownAt = await rowStateTime(page, job.id!, 'SUCCESS', 5_000);
    const doneAt = completedAt.get(job.id!)!;
    console.log(`[e2e] live: job ${job.id} SUCCESS on the page ${shownAt - doneAt} ms after the worker's completed event`);
    expect(shownAt - doneAt).toBeLessThanOrEqual(1_500);
    // Pushed: no status poll reached the proxy meanwhile.
    expect(statusRequestsBetween(stack.preview, doneAt, shownAt)).toEqual([]);
  }
  expect(await page.getByTestId('jobs-live-indicator').getAttribute('data-mode')).toBe('live');
  expect(page.errors).toEqual([]);
});

test('the proxy switched to buffering: the plugin falls back to polling within 6 s and the table still updates', async () => {
  stack.preview.proxyBuffer = true;
  const cutAt = Date.now();
  expect(stack.preview.cutProxyConnections((r) => r.path.startsWith(STREAM_PATH))).toBe(1);
  const pollingAt = await waitForMode(page, 'polling', 6_000);
  console.log(`[e2e] fell back to polling ${pollingAt - cutAt} ms after the stream was cut`);
  // The reconnect after the cut was held by the proxy, and nothing came through it.
  const held = stack.preview.proxyLog.filter((r) => r.path.startsWith(STREAM_PATH) && r.at >= cutAt);
  expect(held.length).toBeGreaterThanOrEqual(1);
  expect(held.every((r) => r.buffered === true && r.bytesOut === 0)).toBe(true);

  const job = await stack.bull.queue(LIVE_Q).add('polled', {});
  await jobRow(page, job.id!, 'RUNNING').waitFor({ timeout: 5_000 });
  await release(job.id!);
  const shownAt = await rowStateTime(page, job.id!, 'SUCCESS', 5_000);
  const doneAt = completedAt.get(job.id!)!;
  console.log(`[e2e] polling: job ${job.id} SUCCESS on the page ${shownAt - doneAt} ms after finishing`);
  expect(shownAt - doneAt).toBeLessThanOrEqual(4_000);
  // Polled: status requests every ~2 s since the fallback.
  expect(statusRequestsBetween(stack.preview, pollingAt, Date.now()).length).toBeGreaterThanOrEqual(1);
  expect(await page.getByTestId('jobs-live-indicator').getAttribute('data-mode')).toBe('polling');
  expect(page.errors).toEqual([]);
});

test('a watched job that a worker finishes raises watch-toast; "Open job" opens its drawer', async () => {
  stack.preview.proxyBuffer = false;
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await waitForMode(page, 'live', 10_000);
  const job = await stack.bull.queue(LIVE_Q).add('watched-one', { watch: true });
  const key = jobKey({ source: 'bullmq', prefix: stack.prefix, queue: LIVE_Q, id: job.id! });
  await jobRow(page, job.id!, 'RUNNING').waitFor({ timeout: 5_000 });
  const bell = jobRow(page, job.id!).getByTestId('job-watch-toggle');
  expect(await bell.getAttribute('aria-pressed')).toBe('false');
  await bell.click();
  await page.locator(`[data-testid="job-row"][data-job-id="${job.id}"] [data-testid="job-watch-toggle"][aria-pressed="true"]`).waitFor({ timeout: 2_000 });
  // The bell does not open the drawer.
  expect(await jobDrawer(page).count()).toBe(0);
  expect(await page.getByTestId('watch-toast').count()).toBe(0);

  await release(job.id!);
  const toast = page.locator(`[data-testid="watch-toast"][data-job-key="${key}"]`);
  await toast.waitFor({ timeout: 3_000 });
  const shownAt = Date.now();
  console.log(`[e2e] watch-toast ${shownAt - completedAt.get(job.id!)!} ms after the worker finished job ${job.id}`);
  expect(await toast.getAttribute('data-outcome')).toBe('SUCCESS');
  expect(await toast.innerText()).toContain('watched-one');
  // The watch ended with the toast.
  expect(await bell.getAttribute('aria-pressed')).toBe('false');
  await toast.getByRole('button', { name: /Open job/ }).click();
  await jobDrawer(page, key).waitFor({ timeout: 5_000 });
  expect(new URL(page.url()).searchParams.get('job')).toBe(key);
  expect(await page.getByTestId('watch-toast').count()).toBe(0);
  expect(page.errors).toEqual([]);
});

/** RFC 4180 records (quoted cells, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') {
        i++;
      }
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

test('export downloads CSV and JSON files whose jobs are exactly the filtered table (state=FAILURE on one queue)', async () => {
  // 7 failed and 3 completed jobs in the exported queue, 4 failed in another one.
  const failing = (job: Job) => (job.data.fail ? Promise.reject(new Error(`boom, "quoted", ${job.data.n}`)) : Promise.resolve({ n: job.data.n }));
  stack.bull.worker(EXPORT_Q, failing, { concurrency: 4 });
  stack.bull.worker(OTHER_Q, failing, { concurrency: 4 });
  for (let n = 0; n < 10; n++) {
    await stack.bull.queue(EXPORT_Q).add(`export-${n}`, { n, fail: n < 7 });
  }
  for (let n = 0; n < 4; n++) {
    await stack.bull.queue(OTHER_Q).add(`other-${n}`, { n, fail: true });
  }
  const q = stack.bull.queue(EXPORT_Q);
  for (let i = 0; i < 100 && ((await q.getFailedCount()) < 7 || (await q.getCompletedCount()) < 3 || (await stack.bull.queue(OTHER_Q).getFailedCount()) < 4); i++) {
    await sleep(100);
  }
  const failedIds = (await q.getFailed()).map((j) => j.id!).sort();
  expect(failedIds).toHaveLength(7);

  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, `?tab=jobs&queue=${EXPORT_Q}&state=FAILURE`));
  await page.locator(`[data-testid="job-row"][data-queue="${EXPORT_Q}"]`).first().waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('[data-testid="job-row"]').length === 7, undefined, { timeout: 10_000 });
  const tableIds = (await rowKeys(page)).map((k) => decodeURIComponent(k.split(':')[3])).sort();
  expect(tableIds).toEqual(failedIds);

  const download = async (format: 'csv' | 'json') => {
    await page.getByTestId('jobs-export-menu').click();
    await page.getByTestId(`jobs-export-${format}`).waitFor({ timeout: 5_000 });
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.getByTestId(`jobs-export-${format}`).click()]);
    const saved = await file.path();
    expect(saved).toBeTruthy();
    return { name: file.suggestedFilename(), text: fs.readFileSync(saved!, 'utf8') };
  };

  const csv = await download('csv');
  console.log(`[e2e] export CSV ${csv.name}: ${csv.text.length} bytes`);
  expect(csv.name).toMatch(/^jobscope-.*\.csv$/);
  const [header, ...records] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  expect(header).toEqual([...EXPORT_COLUMNS]);
  const col = (name: (typeof EXPORT_COLUMNS)[number]) => header.indexOf(name);
  expect(records.map((r) => r[col('id')]).sort()).toEqual(failedIds);
  expect(new Set(records.map((r) => r[col('queue')]))).toEqual(new Set([EXPORT_Q]));
  expect(new Set(records.map((r) => r[col('state')]))).toEqual(new Set(['FAILURE']));
  expect(new Set(records.map((r) => r[col('prefix')]))).toEqual(new Set([stack.prefix]));
  expect(records.every((r) => r.length === header.length)).toBe(true);
  expect(records.every((r) => /boom, "quoted", \d/.test(r[col('error')]))).toBe(true);

  const json = await download('json');
  expect(json.name).toMatch(/^jobscope-.*\.json$/);
  const jobs = JSON.parse(json.text) as Array<{ id: string; queue: string; state: string }>;
  expect(jobs.map((j) => j.id).sort()).toEqual(failedIds);
  expect(jobs.every((j) => j.queue === EXPORT_Q && j.state === 'FAILURE')).toBe(true);
  // The export went through the plugin proxy with the table's filter.
  const exports = stack.preview.proxyLog.filter((r) => r.path.startsWith('api/jobs/export'));
  expect(exports).toHaveLength(2);
  for (const r of exports) {
    const params = new URL(r.path, 'http://x').searchParams;
    expect(params.get('queue')).toBe(EXPORT_Q);
    expect(params.get('state')).toBe('FAILURE');
    expect(r.status).toBe(200);
  }
  expect(page.errors).toEqual([]);
});
