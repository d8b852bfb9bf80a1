// The app config page (/plugins/<id>) rendered by the host: it reads meta.jsonData/secureJsonFields, saves through
// POST /api/plugins/<id>/settings, and the proxy then uses the saved service URL (Test connection goes through it).
import type { Page } from 'playwright-core';
import { errorToasts, markNoReload, openHost, waitForHost, wasReloaded } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

let stack: Stack;
let page: Page & { errors: string[] };

beforeAll(async () => {
  stack = await startStack({ name: 'config-page' });
  page = await stack.newPage();
});

afterAll(async () => {
  await stack?.stop();
});

test('shows the saved settings and tests the connection through the proxy', async () => {
  await openHost(page, stack.preview, `/plugins/${stack.preview.pluginId}`);
  const url = page.getByLabel('Service URL');
  await url.waitFor({ timeout: 10_000 });
  expect(await url.inputValue()).toBe(stack.service.url);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('config-test-result');
  await result.waitFor({ timeout: 10_000 });
  expect(await result.innerText()).toMatch(/Service reachable/);
});

test('saving a new service URL stores it (token kept) and the proxy follows it', async () => {
  const tokenBefore = stack.preview.settings.secureJsonData.apiToken;
  await page.getByLabel('Service URL').fill('http://127.0.0.1:9');
  await markNoReload(page);
  // The page reloads after saving; the new meta comes from GET /api/plugins/<id>/settings.
  await Promise.all([page.waitForEvent('load', { timeout: 15_000 }), page.getByRole('button', { name: 'Save settings' }).click()]);
  expect(await wasReloaded(page)).toBe(true);
  await waitForHost(page);
  await page.getByLabel('Service URL').waitFor({ timeout: 15_000 });
  expect(await page.getByLabel('Service URL').inputValue()).toBe('http://127.0.0.1:9');
  expect(stack.preview.settings.jsonData.serviceUrl).toBe('http://127.0.0.1:9');
  expect(stack.preview.settings.secureJsonData.apiToken).toBe(tokenBefore);

  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.getByTestId('config-test-result');
  await result.waitFor({ timeout: 10_000 });
  expect(await result.innerText()).toMatch(/unreachable/i);
  expect(stack.preview.proxyLog.at(-1)).toMatchObject({ status: 502, target: 'http://127.0.0.1:9/api/health' });
  expect(await errorToasts(page)).toEqual([]);
});
