// Scenario 11: job and queue actions under RBAC. The proxy enforces plugin.json's `reqAction` routes from the roles'
// grants (Viewer: jobs:read; Editor: + jobs:write; Admin: + queues:write) and sends the signed-in user in
// X-Grafana-Context; the plugin's controls follow bootData.user.permissions. A Viewer's and an Editor's forged writes
// get 403 from the proxy and change nothing in BullMQ; an Editor retries a failed job from the row menu (toast, row
// state, BullMQ `waiting`, the audit trail names the login the proxy sent); an Admin pauses the queue from the Queues tab.
import {
  type AuditEntry,
  type JobRef,
  API_PATHS,
  PLUGIN_ID,
  jobKey,
  jobPath,
  proxyUrl,
  queueActionPath,
} from '@jobscope/contract';
import type { Job } from 'bullmq';
import type { Locator, Page } from 'playwright-core';
import { TEST_IDS } from '../../../grafana-plugin/src/components/testIds';
import type { PreviewServer } from '../../../preview/preview-server';
import { type PageGlobals, appToasts, openHost, settingsPath, sleep } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const QUEUE = 'e2e-actions';
const EDITOR_LOGIN = 'erin.editor';
const READ = `${PLUGIN_ID}.jobs:read`;
const JOBS_WRITE = `${PLUGIN_ID}.jobs:write`;
const QUEUES_WRITE = `${PLUGIN_ID}.queues:write`;

type TestPage = Page & { errors: string[]; messages: string[] };

let stack: Stack;
let failed: JobRef;
let editor: PreviewServer;
let admin: PreviewServer;

const queueAddress = () => ({ source: 'bullmq', prefix: stack.prefix, name: QUEUE });
const rowOf = (page: Page, ref: JobRef): Locator => page.locator(`[data-testid="${TEST_IDS.jobRow}"][data-job-key="${jobKey(ref)}"]`);
const queueRow = (page: Page): Locator =>
  page.locator(`[data-testid="${TEST_IDS.queueRow}"][data-queue="${QUEUE}"][data-prefix="${stack.prefix}"]`);

/** A write sent from the page through the plugin proxy, whatever the UI offers. The browser even forges the user. */
function forgedPost(on: Page, apiPath: string, body: object = {}): Promise<{ status: number; body: unknown }> {
  return on.evaluate(
    async ({ url, body }) => {
      const r = await (globalThis as unknown as PageGlobals).fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Grafana-Context': JSON.stringify({ Login: 'mallory', OrgRole: 'Admin', IsGrafanaAdmin: true }),
        },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.json() };
    },
    { url: proxyUrl(apiPath), body }
  );
}

async function jobState(ref: JobRef): Promise<string> {
  const job = await stack.bull.queue(ref.queue).getJob(ref.id);
  return job ? await job.getState() : 'missing';
}

async function audit(limit = 50): Promise<AuditEntry[]> {
  const r = await fetch(`${stack.service.url}${API_PATHS.audit}?limit=${limit}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { entries: AuditEntry[] }).entries;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) {
      return v;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: still ${JSON.stringify(v)} after ${timeoutMs} ms`);
    }
    await sleep(100);
  }
}

const hostOf = (page: Page) => page.evaluate(() => {
  const h = (globalThis as unknown as PageGlobals).__jobscopeHost;
  return { role: h?.role, login: h?.login, permissions: h?.permissions };
});

beforeAll(async () => {
  stack = await startStack({ name: 'actions', role: 'Viewer' });
  // One job that fails for good, then no worker: a retried job stays waiting, so BullMQ can be read afterwards.
  const worker = stack.bull.worker(QUEUE, async (job: Job) => {
    throw new Error(`failing ${job.name} on purpose`);
  });
  const done = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
  const job = await stack.bull.queue(QUEUE).add('will-fail', {}, { attempts: 1 });
  await done;
  await worker.close();
  failed = { source: 'bullmq', prefix: stack.prefix, queue: QUEUE, id: String(job.id) };
  expect(await jobState(failed)).toBe('failed');
  editor = await stack.extraPreview('Editor');
  editor.login = EDITOR_LOGIN;
  admin = await stack.extraPreview('Admin');
});

afterAll(async () => {
  await stack?.stop();
});

describe('a Viewer', () => {
  let page: TestPage;
  beforeAll(async () => {
    page = await stack.newPage();
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await rowOf(page, failed).waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await page?.context().close();
  });

  test('has only jobs:read in its boot data, and the row menu offers Retry disabled', async () => {
    const host = await hostOf(page);
    expect(host.role).toBe('Viewer');
    expect(host.login).toBe('viewer');
    expect(host.permissions?.[READ]).toBe(true);
    expect(host.permissions?.[JOBS_WRITE]).toBeUndefined();
    expect(host.permissions?.[QUEUES_WRITE]).toBeUndefined();

    await rowOf(page, failed).getByTestId(TEST_IDS.jobActionsMenu).click();
    const retry = page.getByTestId(TEST_IDS.jobActionRetry);
    await retry.waitFor({ timeout: 5_000 });
    expect(await retry.isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
  });

  test("forged job and queue writes through the proxy get 403 and change nothing", async () => {
    const before = stack.preview.proxyLog.length;
    for (const apiPath of [jobPath(failed, 'retry'), jobPath(failed, 'remove'), queueActionPath(queueAddress(), 'pause')]) {
      expect(await forgedPost(page, apiPath)).toEqual({ status: 403, body: { message: 'plugin proxy route access denied' } });
    }
    const posts = stack.preview.proxyLog.slice(before).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(3);
    expect(posts.every((r) => r.status === 403 && r.deniedBy === 'reqAction' && r.target === null && r.user === 'viewer')).toBe(true);

    expect(await jobState(failed)).toBe('failed');
    expect(await stack.bull.queue(QUEUE).isPaused()).toBe(false);
    // Nothing reached the service, so its audit trail has nothing either.
    expect(await audit()).toEqual([]);
  });
});

describe('an Editor', () => {
  let page: TestPage;
  beforeAll(async () => {
    page = await stack.newPage();
    await openHost(page, editor, settingsPath(editor.pluginId, '?tab=jobs'));
  });
  afterAll(async () => {
    await page?.context().close();
  });

  test('retries the failed job from its row menu: toast, row state, BullMQ waiting, audit names the user', async () => {
    const host = await hostOf(page);
    expect(host).toMatchObject({ role: 'Editor', login: EDITOR_LOGIN });
    expect(host.permissions?.[JOBS_WRITE]).toBe(true);
    expect(host.permissions?.[QUEUES_WRITE]).toBeUndefined();

    const row = rowOf(page, failed);
    await page.locator(`[data-testid="${TEST_IDS.jobRow}"][data-job-key="${jobKey(failed)}"][data-state="FAILURE"]`).waitFor({ timeout: 15_000 });
    await row.getByTestId(TEST_IDS.jobActionsMenu).click();
    const retry = page.getByTestId(TEST_IDS.jobActionRetry);
    await retry.waitFor({ timeout: 5_000 });
    expect(await retry.isDisabled()).toBe(false);
    const clickedAt = Date.now();
    await retry.click();

    // Grafana's success toast (appEvents alert-success), on the page and in the host's record.
    const toast = page.locator('[data-testid="host-toast"][data-severity="success"]');
    await toast.first().waitFor({ timeout: 10_000 });
    expect(await toast.first().textContent()).toContain(failed.id);
    const toasts = await appToasts(page);
    expect(toasts.filter((t) => t.severity === 'error')).toEqual([]);
    expect(toasts.filter((t) => t.severity === 'success').map((t) => t.title)).toEqual([expect.stringMatching(/retried/)]);

    // The row leaves FAILURE for PENDING (the retried job waits: no worker runs). The states it shows meanwhile are
    // logged: the action's reply is written into the table at once, a status reply older than the action may follow.
    const seenStates: string[] = [];
    let pendingAt = 0;
    while (Date.now() - clickedAt < 10_000 && (pendingAt === 0 || Date.now() - pendingAt < 2_500)) {
      const state = (await row.getAttribute('data-state')) ?? '';
      if (seenStates.at(-1) !== state) {
        seenStates.push(state);
        console.log(`[e2e actions] retry: row ${state} ${Date.now() - clickedAt} ms after the click`);
      }
      pendingAt = state === 'PENDING' ? pendingAt || Date.now() : 0;
      await sleep(50);
    }
    expect(seenStates.at(-1)).toBe('PENDING');
    expect(await jobState(failed)).toBe('waiting');

    // The proxy forwarded it as the Editor, and the service's audit trail names that login.
    expect(editor.proxyLog.filter((r) => r.method === 'POST')).toEqual([
      expect.objectContaining({ path: jobPath(failed, 'retry').slice(1), status: 200, user: EDITOR_LOGIN }),
    ]);
    const entries = await audit();
    expect(entries[0]).toMatchObject({ action: 'job.retry', target: jobKey(failed), outcome: 'ok', status: 200, user: EDITOR_LOGIN, role: 'Editor' });
    expect(page.errors).toEqual([]);
  });

  test("the Editor's forged queue action gets 403 and the queue keeps running", async () => {
    const answer = await forgedPost(page, queueActionPath(queueAddress(), 'pause'));
    expect(answer).toEqual({ status: 403, body: { message: 'plugin proxy route access denied' } });
    expect(editor.proxyLog.at(-1)).toMatchObject({ method: 'POST', status: 403, deniedBy: 'reqAction', user: EDITOR_LOGIN });
    expect(await stack.bull.queue(QUEUE).isPaused()).toBe(false);
    // The Editor's Queues tab shows the queue actions disabled.
    await openHost(page, editor, settingsPath(editor.pluginId, '?tab=queues'));
    const pause = queueRow(page).getByTestId(TEST_IDS.queueActionPause);
    await pause.waitFor({ timeout: 15_000 });
    expect(await pause.isDisabled()).toBe(true);
  });
});

describe('an Admin', () => {
  let page: TestPage;
  beforeAll(async () => {
    page = await stack.newPage();
    await openHost(page, admin, settingsPath(admin.pluginId, '?tab=queues'));
  });
  afterAll(async () => {
    await page?.context().close();
  });

  test('pauses the queue from the Queues tab: BullMQ isPaused(), success toast, audit names admin', async () => {
    expect((await hostOf(page)).permissions?.[QUEUES_WRITE]).toBe(true);
    const pause = queueRow(page).getByTestId(TEST_IDS.queueActionPause);
    await pause.waitFor({ timeout: 15_000 });
    expect(await pause.isDisabled()).toBe(false);
    await pause.click();

    await until('queue paused in BullMQ', () => stack.bull.queue(QUEUE).isPaused(), (p) => p === true);
    await page.locator('[data-testid="host-toast"][data-severity="success"]').first().waitFor({ timeout: 10_000 });
    const toasts = await appToasts(page);
    expect(toasts.filter((t) => t.severity === 'error')).toEqual([]);
    expect(toasts.map((t) => t.title)).toContain(`Queue ${QUEUE} paused`);
    expect(admin.proxyLog.filter((r) => r.method === 'POST')).toEqual([
      expect.objectContaining({ path: queueActionPath(queueAddress(), 'pause').slice(1), status: 200, user: 'admin' }),
    ]);

    const entries = await audit();
    expect(entries[0]).toMatchObject({ action: 'queue.pause', outcome: 'ok', user: 'admin', role: 'Admin' });
    expect(page.errors).toEqual([]);
  });

  test('the open Queues tab then shows the queue paused, with Resume, without a manual refresh', async () => {
    // The action's reply says paused; the Queues tab does not poll, so what it shows after the action is what stays.
    await queueRow(page).getByTestId(TEST_IDS.queueActionResume).waitFor({ timeout: 5_000 });
    expect(await queueRow(page).getByTestId(TEST_IDS.queueActionPause).count()).toBe(0);
  });
});
