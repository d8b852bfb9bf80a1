// Scenario 10: a job's address is {source, prefix, queue, id}. Two BullMQ queues named `dup` under two prefixes, each
// with a job `same-1`, are two rows, and `?job=<jobKey>` highlights exactly the one it names. A second, in-memory job
// source (service/test/helpers/memory-source.ts, plugged in through runService's extraSources) shows its jobs beside
// the BullMQ ones, in the table, in /api/health and in /metrics.
import { type HealthResponse, type JobRef, type StatusResponse, API_PATHS, METRICS, jobKey, jobsTabUrl } from '@jobscope/contract';
import type { Locator, Page } from 'playwright-core';
import { TEST_IDS } from '../../../grafana-plugin/src/components/testIds';
import { MEMORY_JOBS, MEMORY_SERVICE_MAIN, MEMORY_SOURCE } from '../support/memory-jobs';
import { jobsContent, openHost, settingsPath, sleep } from '../support/jobs-page';
import { type Stack, startStack } from '../support/stack';

jest.setTimeout(90_000);

const DUP_QUEUE = 'dup';
const DUP_ID = 'same-1';
let stack: Stack;
let first: JobRef;
let second: JobRef;

type TestPage = Page & { errors: string[]; messages: string[] };

const rowSelector = `[data-testid="${TEST_IDS.jobRow}"]`;
const rowByKey = (page: Page, ref: JobRef): Locator => page.locator(`${rowSelector}[data-job-key="${jobKey(ref)}"]`);
const dupRows = (page: Page): Locator => page.locator(`${rowSelector}[data-queue="${DUP_QUEUE}"][data-job-id="${DUP_ID}"]`);

/** React's duplicate-key warning ("Encountered two children with the same key") or anything like it. */
const sameKeyMessages = (page: TestPage) => page.messages.filter((m) => /same key/i.test(m));

async function rowTexts(rows: Locator): Promise<string[]> {
  return (await rows.allTextContents()).map((t) => t.trim());
}

beforeAll(async () => {
  stack = await startStack({ name: 'job-address', prefixes: 2, serviceEntry: MEMORY_SERVICE_MAIN });
  const [p1, p2] = stack.prefixes;
  // Same queue name, same job id, different prefix: only the prefix tells them apart. No worker: both stay PENDING.
  const a = await stack.bullAt(p1).queue(DUP_QUEUE).add('dup-first', { which: 'first' }, { jobId: DUP_ID });
  const b = await stack.bullAt(p2).queue(DUP_QUEUE).add('dup-second', { which: 'second' }, { jobId: DUP_ID });
  expect([a.id, b.id]).toEqual([DUP_ID, DUP_ID]);
  first = { source: 'bullmq', prefix: p1, queue: DUP_QUEUE, id: DUP_ID };
  second = { source: 'bullmq', prefix: p2, queue: DUP_QUEUE, id: DUP_ID };
  // The service finds new queues within a second (JOBSCOPE_DISCOVERY_INTERVAL_MS); wait until it lists both jobs.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = (await (await fetch(`${stack.service.url}${API_PATHS.status}?limit=50`)).json()) as StatusResponse;
    const keys = status.jobs.map((j) => jobKey(j));
    if (keys.includes(jobKey(first)) && keys.includes(jobKey(second))) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`the service did not list both ${DUP_ID} jobs; it lists ${keys.join(', ')}`);
    }
    await sleep(200);
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('two queues of the same name under two prefixes', () => {
  let page: TestPage;
  beforeEach(async () => {
    page = await stack.newPage();
  });
  afterEach(async () => {
    await page?.context().close();
  });

  test('their jobs of the same id are two distinct rows, with no duplicate-key warning', async () => {
    await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
    await rowByKey(page, first).waitFor({ timeout: 15_000 });
    await rowByKey(page, second).waitFor({ timeout: 15_000 });
    // Let a few polls re-render the table: rows keyed by id alone would be confused on update.
    await sleep(3_000);

    const rows = dupRows(page);
    expect(await rows.count()).toBe(2);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-prefix')).sort())).toEqual([...stack.prefixes].sort());
    const texts = await rowTexts(rows);
    expect(texts.filter((t) => t.includes('dup-first'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('dup-second'))).toHaveLength(1);
    // A queue name two prefixes share is shown with its prefix, so a reader can tell the rows apart too.
    expect(await rowByKey(page, first).getByTestId(TEST_IDS.jobQueuePrefix).textContent()).toContain(first.prefix);
    expect(await rowByKey(page, second).getByTestId(TEST_IDS.jobQueuePrefix).textContent()).toContain(second.prefix);

    expect(sameKeyMessages(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });

  test('?job=<jobKey of the second> highlights exactly the second', async () => {
    // The link a dashboard or alert builds (contract's jobsTabUrl), opened directly.
    const url = jobsTabUrl({ job: jobKey(second) });
    expect(url.startsWith(settingsPath(stack.preview.pluginId))).toBe(true);
    await openHost(page, stack.preview, url);
    await rowByKey(page, second).waitFor({ timeout: 15_000 });
    await rowByKey(page, first).waitFor({ timeout: 15_000 });

    const highlighted = page.locator(`${rowSelector}[data-highlighted="true"]`);
    await highlighted.first().waitFor({ timeout: 5_000 });
    expect(await highlighted.count()).toBe(1);
    expect(await highlighted.getAttribute('data-job-key')).toBe(jobKey(second));
    expect(await highlighted.textContent()).toContain('dup-second');
    expect(await rowByKey(page, first).getAttribute('data-highlighted')).toBeNull();
    // The job is in the list, so there is no "not in the current list" notice.
    expect(await page.getByTestId(TEST_IDS.jobsJobNotice).count()).toBe(0);

    expect(sameKeyMessages(page)).toEqual([]);
    expect(page.errors).toEqual([]);
  });
});

describe('an in-memory job source next to BullMQ', () => {
  const memoryRef = (id: string): JobRef => ({ source: MEMORY_SOURCE.id, prefix: MEMORY_SOURCE.prefix, queue: MEMORY_SOURCE.queue, id });
  const [broken, queued] = MEMORY_JOBS;

  test('its jobs are in the Jobs table with their state badges, beside the BullMQ jobs', async () => {
    const page = await stack.newPage();
    try {
      await openHost(page, stack.preview, settingsPath(stack.preview.pluginId, '?tab=jobs'));
      await jobsContent(page).waitFor({ timeout: 15_000 });
      for (const [job, state] of [
        [broken, 'FAILURE'],
        [queued, 'PENDING'],
      ] as const) {
        const row = rowByKey(page, memoryRef(job.id));
        await row.waitFor({ timeout: 15_000 });
        expect(await row.getAttribute('data-state')).toBe(state);
        expect(await row.getAttribute('data-source')).toBe(MEMORY_SOURCE.id);
        expect((await row.getByTestId(TEST_IDS.jobState).textContent())?.trim()).toBe(state);
        expect(await row.textContent()).toContain(job.name);
      }
      // The real BullMQ jobs are in the same table at the same time.
      expect(await dupRows(page).count()).toBe(2);
      expect((await rowByKey(page, first).getByTestId(TEST_IDS.jobState).textContent())?.trim()).toBe('PENDING');

      // The failed memory job's error is in its details.
      await rowByKey(page, memoryRef(broken.id)).click();
      await page.getByTestId(TEST_IDS.jobDetails).first().waitFor({ timeout: 5_000 });
      expect(await page.getByTestId(TEST_IDS.jobDetails).first().textContent()).toContain(broken.error);

      expect(sameKeyMessages(page)).toEqual([]);
      expect(page.errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  test('/api/health and /metrics of that service report the memory queue', async () => {
    const health = (await (await fetch(`${stack.service.url}${API_PATHS.health}`)).json()) as HealthResponse;
    const memoryChecks = Object.entries(health.checks).filter(([key]) => key.includes(MEMORY_SOURCE.queue));
    expect(memoryChecks.length).toBeGreaterThan(0);

    const metrics = await (await fetch(`${stack.service.url}${API_PATHS.metrics}`)).text();
    const series = metrics
      .split('\n')
      .filter((l) => l.startsWith(`${METRICS.queueJobs}{`) && l.includes(`source="${MEMORY_SOURCE.id}"`) && l.includes(`queue="${MEMORY_SOURCE.queue}"`));
    const value = (state: string) => {
      const line = series.find((l) => l.includes(`state="${state}"`));
      return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect(series.length).toBeGreaterThan(0);
    expect(series.every((l) => l.includes(`prefix="${MEMORY_SOURCE.prefix}"`))).toBe(true);
    expect(value('FAILURE')).toBe(1);
    expect(value('PENDING')).toBe(1);
    // And the BullMQ queues of both prefixes are series of their own.
    for (const prefix of stack.prefixes) {
      expect(metrics).toMatch(
        new RegExp(`^${METRICS.queueJobs}\\{(?=[^}]*source="bullmq")(?=[^}]*prefix="${prefix}")(?=[^}]*queue="${DUP_QUEUE}")(?=[^}]*state="PENDING")[^}]*\\} 1$`, 'm')
      );
    }
  });
});
