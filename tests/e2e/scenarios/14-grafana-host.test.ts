// Scenario 14: the same dist/ on the Grafana this run's host stands for (JOBSCOPE_E2E_HOST: 13.2 with React 19, or
// 12.4 with React 18). The host page imports dist/module.js through SystemJS with that Grafana's shared modules and
// renders the root page; under React's development build nothing in the plugin makes React warn (unknown DOM props,
// legacy APIs, missing keys); the alert-instance and command-palette links resolve and open the Jobs tab filtered.
import type { Page } from 'playwright-core';
import { TEST_IDS } from '../../../grafana-plugin/src/components/testIds';
import { e2eHost } from '../support/host';
import { type PageGlobals, addedLinks, jobDrawer, openAddedLink, openHost, selectedTab, settingsPath } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(120_000);

const ALERT_INSTANCE = 'grafana/alerting/instance/action';
const COMMAND_PALETTE = 'grafana/commandpalette/action';

let stack: Stack;
let releaseRunning: () => void = () => undefined;
const running = new Promise<void>((resolve) => (releaseRunning = resolve));
let page: Page & { errors: string[]; messages: string[] };

/** What Grafana passes to alert instance actions: `{ instance, rule }`, labels as the shipped per-queue rules keep them. */
const alertContext = (labels: Record<string, string>) => ({
  instance: { labels: { alertname: 'Jobscope queue failures', severity: 'warning', service: 'jobscope', ...labels }, state: 'Alerting' },
  rule: { name: 'Jobscope queue failures', labels: { severity: 'warning', service: 'jobscope' } },
});

beforeAll(async () => {
  stack = await startStack({ name: 'grafana-host', reactDev: true });
  const alerting = stack.bull.queue('e2e-alerting');
  await alerting.add('ok', {});
  const failing = await alerting.add('fails', {});
  await stack.bull.queue('e2e-calm').add('calm', {});
  stack.bull.worker('e2e-alerting', async (job) => {
    if (job.id === failing.id) {
      throw new Error('boom');
    }
    await running; // the other one keeps running until the end
  });
  page = await stack.newPage();
});

afterAll(async () => {
  releaseRunning();
  await stack?.stop();
});

/** React's own warnings (dev build: console.error/console.warn starting with "Warning:" or naming a React API). */
const reactWarnings = (messages: string[]) =>
  messages.filter((m) => /^(error|warning): /.test(m) && /Warning:|React does not recognize|findDOMNode|defaultProps|legacy|Each child in a list|unique "key"/i.test(m));

test(`the host is Grafana ${e2eHost()} with its React, and renders the plugin's root page from dist/module.js`, async () => {
  await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=general'));
  const { grafanaVersion, reactVersion } = await page.evaluate(() => {
    const h = (globalThis as unknown as PageGlobals).__jobscopeHost!;
    return { grafanaVersion: h.grafanaVersion, reactVersion: h.reactVersion };
  });
  console.log(`[e2e grafana ${e2eHost()}] host: Grafana ${grafanaVersion}, React ${reactVersion}`);
  expect(grafanaVersion.startsWith(`${e2eHost()}.`)).toBe(true);
  expect(grafanaVersion).toBe(stack.preview.grafanaVersion);
  expect(reactVersion.split('.')[0]).toBe(e2eHost() === '12.4' ? '18' : '19');
  await selectedTab(page, 'General');
});

test('no React warnings from the plugin while using the tabs, a job drawer and the Run job dialog (React dev build)', async () => {
  for (const tab of ['Queues', 'Jobs', 'General', 'Jobs'] as const) {
    await page.getByRole('tab', { name: tab }).click();
    await selectedTab(page, tab);
  }
  const row = page.locator(`[data-testid="${TEST_IDS.jobRow}"][data-state="FAILURE"]`).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await jobDrawer(page).waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Run job' }).click();
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  expect(reactWarnings(page.messages)).toEqual([]);
  expect(page.errors).toEqual([]);
  // The filter does catch React's warnings (so the empty list above means something).
  expect(reactWarnings(['error: Warning: React does not recognize the `isOpen` prop on a DOM element.'])).toHaveLength(1);
});

test('"Show failed jobs" on a firing alert instance opens the Jobs tab on its queue, filtered to failures', async () => {
  const links = await addedLinks(page, ALERT_INSTANCE, alertContext({ prefix: stack.prefix, queue: 'e2e-alerting' }));
  expect(links).toEqual([{ title: 'Show failed jobs in jobscope', path: expect.any(String) }]);
  // An alert that is not about a queue gets no link.
  expect(await addedLinks(page, ALERT_INSTANCE, alertContext({}))).toEqual([]);

  await openAddedLink(page, ALERT_INSTANCE, alertContext({ prefix: stack.prefix, queue: 'e2e-alerting' }));
  await page.waitForURL((u) => u.searchParams.get('queue') === 'e2e-alerting' && u.searchParams.get('state') === 'FAILURE');
  await selectedTab(page, 'Jobs');
  const rows = page.locator(`[data-testid="${TEST_IDS.jobRow}"]`);
  await rows.first().waitFor({ timeout: 10_000 });
  const shown = await rows.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-queue')} ${e.getAttribute('data-state')}`));
  expect(new Set(shown)).toEqual(new Set(['e2e-alerting FAILURE']));
});

test('the command palette links open the Jobs tab on failed and on running jobs', async () => {
  const links = await addedLinks(page, COMMAND_PALETTE, {});
  expect(links.map((l) => l.title)).toEqual(['Jobscope: failed jobs', 'Jobscope: running jobs']);
  for (const [index, state] of [[0, 'FAILURE'], [1, 'RUNNING']] as const) {
    await openAddedLink(page, COMMAND_PALETTE, {}, index);
    await page.waitForURL((u) => u.searchParams.get('state') === state && !u.searchParams.has('queue'));
    await page.locator(`[data-testid="${TEST_IDS.jobRow}"][data-state="${state}"]`).first().waitFor({ timeout: 10_000 });
  }
  expect(reactWarnings(page.messages)).toEqual([]);
  expect(page.errors).toEqual([]);
});
