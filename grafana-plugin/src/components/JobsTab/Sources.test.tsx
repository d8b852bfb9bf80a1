import { act, fireEvent, screen, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { emptyStateCounts, type JobSummary, type SourceInfo, type StatusResponse } from '@jobscope/contract';
import { settle, tick } from '../../test/clock';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { BULLMQ_SOURCE, CELERY_SOURCE, makeDetail, makeJob, makeQueue, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { PROXY, renderJobsTab } from '../../test/renderTab';
import { currentSearch, setUserRole } from '../../test/TestRouter';

const SOURCES: SourceInfo[] = [
  BULLMQ_SOURCE,
  CELERY_SOURCE,
  { id: 'memory', label: 'Memory', supports: { enqueue: false, actions: [] } },
];

const celery = (overrides: Partial<JobSummary>) =>
  makeJob({ source: 'celery', prefix: 'db0', queue: 'celery', name: 'tasks.add', ...overrides });

/** BullMQ, Celery and a source with no actions, in one list sorted by state. */
const JOBS: JobSummary[] = [
  celery({ id: 'c-run', state: 'RUNNING', nativeState: 'ACTIVE', finishedAt: null, finishedAtMs: null }),
  celery({ id: 'c-pending', state: 'PENDING', nativeState: 'PENDING', startedAt: null, startedAtMs: null }),
  makeJob({ id: '3', state: 'FAILURE', nativeState: 'failed', error: 'boom' }),
  celery({ id: 'c-fail', state: 'FAILURE', nativeState: 'FAILURE', error: 'ValueError' }),
  makeJob({ id: 'm-1', source: 'memory', prefix: 'mem', queue: 'inbox', state: 'FAILURE', nativeState: 'broken' }),
  makeJob({ id: '1', state: 'SUCCESS' }),
];
const QUEUES = [
  makeQueue(),
  makeQueue({ name: 'celery', prefix: 'db0', source: 'celery', counts: { ...emptyStateCounts(), FAILURE: 1 } }),
  makeQueue({ name: 'inbox', prefix: 'mem', source: 'memory', counts: { ...emptyStateCounts(), FAILURE: 1 } }),
];
const mixed = (overrides: Partial<StatusResponse> = {}) =>
  makeStatus({ jobs: JOBS, queues: QUEUES, sources: SOURCES, ...overrides });

function row(id: string): HTMLElement {
  const found = screen.getAllByTestId('job-row').find((r) => r.dataset.jobId === id);
  if (!found) {
    throw new Error(`no row ${id}`);
  }
  return found;
}

/** The action menu items of a menu button, by test id. */
async function menuItems(container: HTMLElement): Promise<string[]> {
  fireEvent.click(within(container).getByTestId('job-actions-menu'));
  await settle();
  const items = screen.getAllByRole('menuitem').map((i) => i.dataset.testid ?? '');
  fireEvent.keyDown(document.activeElement ?? document.body, { key: 'Escape' });
  await settle();
  return items;
}

/** Combobox option lists are virtualised: they render only what fits, and jsdom elements have no size. */
function sizedElements(): () => void {
  const width = jest.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(240);
  const height = jest.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(240);
  return () => {
    width.mockRestore();
    height.mockRestore();
  };
}

describe('Jobs tab with several sources', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let status: FakeReply;
  let backend: FakeBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setUserRole('Editor');
    status = { status: 200, data: mixed() };
    backend = new FakeBackend((call: FakeCall): FakeReply => {
      const path = call.url.replace(PROXY, '');
      if (path === '/api/settings/jobs/status') {
        return status;
      }
      if (path === '/api/jobs/celery:db0:celery:c-fail') {
        return {
          status: 200,
          data: makeDetail({ ...JOBS[3], failedReason: 'ValueError', stacktrace: [] }),
        };
      }
      return { status: 404, data: { error: { code: 'job_not_found', message: 'no such job' } } };
    }).install();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  const statusCalls = () => backend.callsTo('/api/settings/jobs/status');

  it('shows one list sorted by state with a Source column naming each row by its label', async () => {
    await renderJobsTab();
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toContain('Source');
    expect(screen.getAllByTestId('job-source').map((c) => [c.dataset.source, c.textContent])).toEqual([
      ['celery', 'Celery'],
      ['celery', 'Celery'],
      ['bullmq', 'BullMQ'],
      ['celery', 'Celery'],
      ['memory', 'Memory'],
      ['bullmq', 'BullMQ'],
    ]);
    // Before Queue.
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent);
    expect(headers.indexOf('Source')).toBe(headers.indexOf('Queue') - 1);
  });

  it.each([
    ['one source listed', { sources: [SOURCES[0]], queues: [makeQueue()], jobs: [makeJob()] }],
    [
      'no source list (an older service), BullMQ jobs only',
      { sources: undefined, queues: [makeQueue()], jobs: [makeJob()] },
    ],
  ])('has no Source column nor Source filter with %s', async (_label, overrides) => {
    status = { status: 200, data: makeStatus(overrides) };
    await renderJobsTab();
    expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).not.toContain('Source');
    expect(screen.queryAllByTestId('job-source')).toHaveLength(0);
    expect(screen.queryByTestId('jobs-source-filter')).toBeNull();
  });

  it('shows the Source column when a job comes from another source than BullMQ, even without a source list', async () => {
    status = { status: 200, data: makeStatus({ sources: undefined, jobs: [JOBS[3]], queues: [QUEUES[1]] }) };
    await renderJobsTab();
    expect(screen.getAllByTestId('job-source').map((c) => c.textContent)).toEqual(['celery']);
  });

  it('filters by source from the URL (&source=), keeping the other filters and the request as they were', async () => {
    await renderJobsTab('&state=FAILURE&source=celery');
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['c-run', 'c-pending', 'c-fail']);
    // The service is asked for the same view: the filter narrows what it listed.
    expect(statusCalls()[0].params).toEqual({ limit: 100, state: 'FAILURE' });
    act(() => locationService.partial({ source: 'memory' }));
    await settle();
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['m-1']);
    act(() => locationService.partial({ source: null }));
    await settle();
    expect(screen.getAllByTestId('job-row')).toHaveLength(JOBS.length);
  });

  it('choosing a source in the toolbar puts it in the URL and narrows the list', async () => {
    const restore = sizedElements();
    await renderJobsTab('&queue=email,celery');
    const input = within(screen.getByTestId('jobs-source-filter')).getByRole('combobox', { name: 'Filter by source' });
    fireEvent.click(input);
    await tick(100);
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['BullMQ', 'Celery', 'Memory']);
    fireEvent.click(screen.getByRole('option', { name: 'Celery' }));
    await settle();
    expect(Object.fromEntries(currentSearch())).toEqual({ tab: 'jobs', queue: 'email,celery', source: 'celery' });
    expect(screen.getAllByTestId('job-row').every((r) => r.dataset.source === 'celery')).toBe(true);
    restore();
  });

  it('an unknown source in the URL lists no jobs and stays selectable so it can be cleared', async () => {
    await renderJobsTab('&source=rq');
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
    expect(screen.getByTestId('jobs-empty')).toHaveTextContent('No jobs match this filter');
    expect(within(screen.getByTestId('jobs-source-filter')).getByRole('combobox')).toHaveValue('rq');
  });

  it('row menus list only what the job state allows and its source supports; none left, no menu', async () => {
    await renderJobsTab();
    expect(await menuItems(row('3'))).toEqual(['job-action-retry', 'job-action-remove']);
    // Celery: retry and cancel only (remove and promote answer 405 there).
    expect(await menuItems(row('c-fail'))).toEqual(['job-action-retry']);
    expect(await menuItems(row('c-run'))).toEqual(['job-action-cancel']);
    // A pending Celery task could only be removed, and Celery cannot: no menu button at all.
    expect(within(row('c-pending')).queryByTestId('job-actions-menu')).toBeNull();
    expect(within(row('m-1')).queryByTestId('job-actions-menu')).toBeNull();
  });

  it('keeps role reasons as disabled items: a Viewer sees the supported actions disabled, the rest hidden', async () => {
    setUserRole('Viewer');
    await renderJobsTab();
    fireEvent.click(within(row('c-fail')).getByTestId('job-actions-menu'));
    await settle();
    const items = screen.getAllByRole('menuitem');
    expect(items.map((i) => i.dataset.testid)).toEqual(['job-action-retry']);
    expect(items[0]).toBeDisabled();
  });

  it('without a source list (an older service) hides nothing', async () => {
    status = { status: 200, data: mixed({ sources: undefined }) };
    await renderJobsTab();
    expect(await menuItems(row('c-fail'))).toEqual(['job-action-retry', 'job-action-remove']);
    expect(await menuItems(row('c-pending'))).toEqual(['job-action-remove']);
  });

  it("the drawer's menu hides what the job's source does not support", async () => {
    await renderJobsTab('&job=celery:db0:celery:c-fail');
    const drawer = screen.getByTestId('job-drawer');
    expect(await menuItems(drawer)).toEqual(['job-action-retry']);
  });

  it('a linked job of another source than the filtered one still opens with its summary', async () => {
    await renderJobsTab('&source=bullmq&job=celery:db0:celery:c-fail');
    expect(screen.getByTestId('job-drawer').dataset.jobKey).toBe('celery:db0:celery:c-fail');
    expect(screen.queryByTestId('jobs-job-notice')).toBeNull();
  });

  it('Run job starts on a queue whose source can enqueue, not on the filtered one that cannot', async () => {
    // Its option list is runnableQueueNames (runnableQueues.test.ts): the queues of sources that can enqueue.
    await renderJobsTab('&queue=inbox');
    fireEvent.click(screen.getByRole('button', { name: /Run job/ }));
    await settle();
    expect(screen.getByLabelText('Queue')).toHaveValue('celery');
  });

  it('has no Run job button when no source can enqueue', async () => {
    const readOnly = SOURCES.map((s) => ({ ...s, supports: { ...s.supports, enqueue: false } }));
    status = { status: 200, data: mixed({ sources: readOnly }) };
    await renderJobsTab();
    expect(screen.getAllByTestId('job-row')).toHaveLength(JOBS.length);
    expect(screen.queryByRole('button', { name: /Run job/ })).toBeNull();
  });
});
