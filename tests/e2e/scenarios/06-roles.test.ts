// Scenario 6: the role read from Grafana's boot data decides the Run button, and the plugin.json route's reqRole is
// enforced by the proxy: a Viewer's forced write gets 403 and never reaches the service.
import { PLUGIN_ID } from '@jobscope/contract';
import type { Page } from 'playwright-core';
import { type PageGlobals, openHost, settingsPath } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const QUEUE = 'e2e-roles';
let stack: Stack;
let page: Page & { errors: string[] };

beforeAll(async () => {
  stack = await startStack({ name: 'roles', role: 'Viewer' });
  await stack.bull.queue(QUEUE).add('seed', {});
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

/** A write sent from the page through the plugin proxy, as the plugin would send it, whatever the UI shows. */
function enqueueThroughProxy(on: Page, name: string): Promise<{ status: number; body: unknown }> {
  return on.evaluate(
    async ({ url, body }) => {
      const r = await (globalThis as unknown as PageGlobals).fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.json() };
    },
    { url: `/api/plugin-proxy/${PLUGIN_ID}/api/jobs`, body: { queue: QUEUE, name, data: {} } }
  );
}

test('a Viewer sees the jobs but no Run job button', async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
  await page.locator(`[data-testid="job-row"][data-queue="${QUEUE}"]`).first().waitFor({ timeout: 15_000 });
  expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__jobscopeHost?.role)).toBe('Viewer');
  await page.getByRole('button', { name: 'Refresh' }).waitFor();
  expect(await page.getByRole('button', { name: 'Run job' }).count()).toBe(0);
});

test("a Viewer's forced write through the plugin proxy gets 403 and creates nothing", async () => {
  const countBefore = await stack.bull.queue(QUEUE).count();
  const answer = await enqueueThroughProxy(page, 'forced');
  expect(answer).toEqual({ status: 403, body: { message: 'plugin proxy route access denied' } });
  expect(stack.preview.proxyLog.filter((r) => r.method === 'POST')).toEqual([
    expect.objectContaining({ path: 'api/jobs', status: 403, target: null }),
  ]);
  expect(await stack.bull.queue(QUEUE).count()).toBe(countBefore);
});

test("an Editor gets the Run job button, and the same write through the proxy creates the job", async () => {
  const editor = await stack.extraPreview('Editor');
  const editorPage = await stack.newPage();
  await openHost(editorPage, editor, settingsPath(editor.pluginId, '?tab=jobs'));
  await editorPage.getByRole('button', { name: 'Run job' }).waitFor({ timeout: 10_000 });
  const countBefore = await stack.bull.queue(QUEUE).count();
  const answer = await enqueueThroughProxy(editorPage, 'by-editor');
  expect(answer).toEqual({ status: 201, body: expect.objectContaining({ queue: QUEUE, state: 'PENDING' }) });
  expect(await stack.bull.queue(QUEUE).count()).toBe(countBefore + 1);
  await editorPage.context().close();
});
