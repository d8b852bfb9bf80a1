import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { FakeBackend, type FakeReply } from '../../test/fakeBackend';
import { JOBS_LIMIT, setStatusSnapshot } from '../../api/statusQueries';
import { settle, tick } from '../../test/clock';
import { makeJob, makeQueue, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { PAGE, renderJobsTab } from '../../test/renderTab';
import { createTestQueryClient, currentSearch, setUserRole, TestRouter } from '../../test/TestRouter';
import { JobsTab } from './JobsTab';

describe('JobsTab', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let reply: FakeReply;
  let backend: FakeBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setUserRole('Viewer');
    reply = { status: 200, data: makeStatus() };
    backend = new FakeBackend(() => reply).install();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  const statusCalls = () => backend.callsTo('/api/settings/jobs/status');

  it('fetches at once and renders one row per job with the stable attributes', async () => {
    await renderJobsTab();
    expect(statusCalls()).toHaveLength(1);
    const rows = screen.getAllByTestId('job-row');
    expect(rows.map((r) => [r.dataset.jobId, r.dataset.queue, r.dataset.state])).toEqual([
      ['7', 'email', 'RUNNING'],
      ['3', 'email', 'FAILURE'],
      ['1', 'email', 'SUCCESS'],
    ]);
    expect(within(rows[0]).getByText('RUNNING')).toBeInTheDocument();
    expect(within(rows[0]).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '40');
    expect(within(rows[2]).getByText('2.5 s')).toBeInTheDocument();
    expect(within(rows[2]).getByText('worker-a')).toBeInTheDocument();
    expect(rows[2].querySelector('time')).toHaveAttribute('title');
  });

  it('polls every 2 s and shows "updated N s ago"', async () => {
    await renderJobsTab();
    expect(screen.getByTestId('jobs-updated')).toHaveTextContent('updated 0 s ago');
    await tick(2000);
    expect(statusCalls()).toHaveLength(2);
    reply = 'hang'; // the next poll never answers: the age grows
    await tick(2000);
    await tick(3000);
    expect(screen.getByTestId('jobs-updated')).toHaveTextContent('updated 5 s ago');
  });

  it("a click opens the job in the drawer, with the row's result or traceback until the detail is read", async () => {
    await renderJobsTab();
    fireEvent.click(screen.getAllByTestId('job-row')[1]);
    await settle();
    expect(currentSearch().get('job')).toBe('bullmq:bull:email:3');
    expect(screen.getByTestId('job-details')).toHaveTextContent('at work (worker.js:10:5)');
    fireEvent.click(screen.getAllByTestId('job-row')[2]);
    await settle();
    expect(screen.getAllByTestId('job-details')).toHaveLength(1);
    expect(screen.getByTestId('job-details')).toHaveTextContent('{"sent":true}');
  });

  it('passes queue and state from the URL to the service, and highlights and opens &job=<job key>', async () => {
    await renderJobsTab('&queue=email&state=FAILURE&job=bullmq:bull:email:3');
    expect(statusCalls()[0].params).toEqual({ limit: 100, queue: 'email', state: 'FAILURE' });
    const highlighted = screen.getAllByTestId('job-row').filter((r) => r.dataset.highlighted === 'true');
    expect(highlighted.map((r) => r.dataset.jobId)).toEqual(['3']);
    expect(screen.getByTestId('job-details')).toHaveTextContent('at work (worker.js:10:5)');
    expect(screen.queryByTestId('jobs-job-notice')).toBeNull();
  });

  it('refetches at once when the URL filter changes', async () => {
    await renderJobsTab();
    act(() => locationService.partial({ queue: 'reports' }));
    await settle();
    expect(statusCalls()).toHaveLength(2);
    expect(statusCalls()[1].params).toMatchObject({ queue: 'reports' });
    expect(intervals.live()).toBe(1);
  });

  it("never shows another filter's rows while the new filter's reply is pending or failing", async () => {
    reply = { status: 200, data: makeStatus({ jobs: [makeJob({ id: 'e1', queue: 'email' })] }) };
    await renderJobsTab();
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['e1']);
    reply = 'hang';
    act(() => locationService.partial({ queue: 'reports' }));
    await settle();
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
    backend.release({ networkError: true });
    await settle();
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
    expect(screen.queryByTestId('jobs-stale')).toBeNull();
  });

  it('manual Refresh works while auto-refresh runs, without a second timer', async () => {
    await renderJobsTab();
    expect(intervals.live()).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: /Refresh/ }));
    await settle();
    expect(statusCalls()).toHaveLength(2);
    expect(intervals.live()).toBe(1);
    expect(intervals.maxLive()).toBe(1);
    await tick(2000);
    expect(statusCalls()).toHaveLength(3);
    expect(intervals.maxLive()).toBe(1);
  });

  it('Pause stops polling, Resume fetches and restarts it', async () => {
    await renderJobsTab();
    fireEvent.click(screen.getByRole('button', { name: /Pause/ }));
    await tick(6000);
    expect(statusCalls()).toHaveLength(1);
    expect(screen.getByTestId('jobs-updated')).toHaveTextContent('updated 6 s ago');
    fireEvent.click(screen.getByRole('button', { name: /Resume/ }));
    await settle();
    expect(statusCalls()).toHaveLength(2);
    await tick(2000);
    expect(statusCalls()).toHaveLength(3);
  });

  it('service unreachable: banner, last data kept and marked stale, polling continues, banner clears on recovery', async () => {
    await renderJobsTab();
    reply = { networkError: true };
    await tick(2000);
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent(/service unreachable/i);
    expect(screen.getByTestId('jobs-stale')).toBeInTheDocument();
    expect(screen.getAllByTestId('job-row')).toHaveLength(3);
    reply = { status: 502, data: { message: 'Bad Gateway' } };
    await tick(2000);
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent(/service unreachable/i);
    reply = { status: 200, data: makeStatus() };
    await tick(2000);
    expect(screen.queryByTestId('jobs-error-banner')).not.toBeInTheDocument();
    expect(screen.queryByTestId('jobs-stale')).not.toBeInTheDocument();
    expect(statusCalls()).toHaveLength(4);
  });

  it('Redis down with a stale snapshot (200, stale) says Redis, not the service', async () => {
    reply = {
      status: 200,
      data: makeStatus({
        stale: true,
        redis: { ok: false, latencyMs: null, error: 'connect ECONNREFUSED', version: null },
      }),
    };
    await renderJobsTab();
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent('Redis unavailable');
    expect(screen.getByTestId('jobs-error-banner')).not.toHaveTextContent(/service unreachable/i);
    expect(screen.getByTestId('jobs-stale')).toBeInTheDocument();
  });

  it('Redis down without a snapshot (503 ErrorBody) says Redis', async () => {
    reply = { status: 503, data: { error: { code: 'redis_unavailable', message: 'Redis is not reachable' } } };
    await renderJobsTab();
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent('Redis unavailable');
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
  });

  it('shows an empty state when there are no jobs', async () => {
    reply = { status: 200, data: makeStatus({ jobs: [] }) };
    await renderJobsTab();
    expect(screen.getByTestId('jobs-empty')).toBeInTheDocument();
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
  });

  it('unmount clears the timer and stops requests', async () => {
    const view = await renderJobsTab();
    view.unmount();
    expect(intervals.live()).toBe(0);
    await tick(10_000);
    expect(statusCalls()).toHaveLength(1);
  });

  it('hidden document pauses polling', async () => {
    await renderJobsTab();
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await tick(10_000);
    expect(statusCalls()).toHaveLength(1);
    expect(intervals.live()).toBe(0);
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await settle();
    expect(statusCalls()).toHaveLength(2);
  });

  it('Viewer sees no Run job button; Editor, Admin and Grafana admins do', async () => {
    const view = await renderJobsTab();
    expect(screen.queryByRole('button', { name: /Run job/ })).not.toBeInTheDocument();
    view.unmount();
    for (const [role, admin] of [
      ['Editor', false],
      ['Admin', false],
      ['Viewer', true],
    ] as const) {
      setUserRole(role, admin);
      const v = await renderJobsTab();
      expect(screen.getByRole('button', { name: /Run job/ })).toBeInTheDocument();
      v.unmount();
    }
  });

  it('keeps the job filter in the URL when a job is missing from the list', async () => {
    reply = { status: 200, data: makeStatus({ jobs: [makeJob({ id: '1' })] }) };
    await renderJobsTab('&job=bullmq:bull:email:99');
    expect(screen.getByText('Job 99 of queue email is not in the current list')).toBeInTheDocument();
    expect(currentSearch().get('job')).toBe('bullmq:bull:email:99');
  });

  it.each([
    ['an old-style bare id', '3'],
    ['a key with a part missing', 'bullmq:bull:3'],
    ['broken percent-encoding', 'bullmq:bull:email:%E0%A4%A'],
  ])('&job= with %s highlights nothing and says why, without crashing', async (_what, value) => {
    await renderJobsTab(`&job=${encodeURIComponent(value)}`);
    expect(screen.getAllByTestId('job-row')).toHaveLength(3);
    expect(screen.getAllByTestId('job-row').filter((r) => r.dataset.highlighted === 'true')).toHaveLength(0);
    expect(screen.getByTestId('jobs-job-notice')).toHaveTextContent('is not a job key');
    expect(currentSearch().get('job')).toBe(value);
  });

  it('two jobs with one id in two prefixes are two rows with their own keys; &job= highlights only its own', async () => {
    const errors = jest.spyOn(console, 'error');
    reply = {
      status: 200,
      data: makeStatus({
        jobs: [makeJob({ id: '5', prefix: 'bull' }), makeJob({ id: '5', prefix: 'other', name: 'other-send' })],
        queues: [makeQueue(), makeQueue({ prefix: 'other' })],
      }),
    };
    await renderJobsTab('&job=bullmq:other:email:5');
    const rows = screen.getAllByTestId('job-row');
    expect(rows.map((r) => r.dataset.jobKey)).toEqual(['bullmq:bull:email:5', 'bullmq:other:email:5']);
    expect(rows.map((r) => r.dataset.highlighted ?? null)).toEqual([null, 'true']);
    // The shared queue name shows each row's prefix.
    expect(rows.map((r) => within(r).getByTestId('job-queue-prefix').textContent)).toEqual(['bull', 'other']);
    // Opening one opens only that one.
    fireEvent.click(rows[0]);
    await settle();
    expect(screen.getByTestId('job-drawer').dataset.jobKey).toBe('bullmq:bull:email:5');
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.highlighted ?? null)).toEqual(['true', null]);
    expect(screen.getAllByTestId('job-details')).toHaveLength(1);
    expect(errors.mock.calls.flat().join(' ')).not.toMatch(/same key/);
    errors.mockRestore();
  });

  it('shows no prefix beside a queue name only one prefix uses', async () => {
    await renderJobsTab();
    expect(screen.queryAllByTestId('job-queue-prefix')).toHaveLength(0);
  });

  it('renders a job of a non-BullMQ source with its own native state', async () => {
    reply = {
      status: 200,
      data: makeStatus({
        jobs: [
          makeJob({
            id: 'm-1',
            source: 'memory',
            prefix: 'mem',
            queue: 'email',
            state: 'PENDING',
            nativeState: 'queued',
          }),
        ],
        queues: [makeQueue(), makeQueue({ source: 'memory', prefix: 'mem', nativeCounts: { queued: 1 } })],
      }),
    };
    await renderJobsTab('&job=memory:mem:email:m-1');
    const [row] = screen.getAllByTestId('job-row');
    expect(row.dataset).toMatchObject({ jobKey: 'memory:mem:email:m-1', source: 'memory', state: 'PENDING' });
    expect(row.dataset.highlighted).toBe('true');
    expect(within(row).getByTestId('job-queue-prefix')).toHaveTextContent('memory · mem');
    expect(within(row).getByText('PENDING').closest('td')).toHaveAttribute('title', 'memory state: queued');
    expect(screen.getByTestId('job-details')).toHaveTextContent('memory state queued');
  });

  it('a snapshot written into the cache (setStatusSnapshot, as a push stream would) shows at once', async () => {
    const client = createTestQueryClient();
    act(() => locationService.push(`${PAGE}?tab=jobs&queue=email`));
    render(
      <TestRouter queryClient={client}>
        <JobsTab />
      </TestRouter>
    );
    await settle();
    expect(screen.getAllByTestId('job-row')).toHaveLength(3);
    await act(async () =>
      setStatusSnapshot(
        client,
        { queue: 'email', limit: JOBS_LIMIT },
        makeStatus({ jobs: [makeJob({ id: 'pushed' })] })
      )
    );
    await settle();
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['pushed']);
    expect(statusCalls()).toHaveLength(1);
    // Another filter's entry does not leak into this one.
    await act(async () => setStatusSnapshot(client, { queue: 'reports', limit: JOBS_LIMIT }, makeStatus({ jobs: [] })));
    await settle();
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['pushed']);
  });
  it('a slow request is not overlapped by later ticks', async () => {
    reply = 'hang';
    await renderJobsTab();
    await tick(7000);
    expect(statusCalls()).toHaveLength(1);
    backend.release({ status: 200, data: makeStatus() });
    await settle();
    expect(screen.getAllByTestId('job-row')).toHaveLength(3);
    reply = { status: 200, data: makeStatus() };
    // The interval restarts from the slow reply: the next poll is a full period after it, not a burst.
    await tick(1999);
    expect(statusCalls()).toHaveLength(1);
    await tick(1);
    expect(statusCalls()).toHaveLength(2);
    expect(intervals.maxLive()).toBe(1);
  });

  it('choosing a state in the filter puts it in the URL and refetches with it', async () => {
    // The option list is virtualised: it renders only what fits, and jsdom elements have no size.
    const width = jest.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(240);
    const height = jest.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(240);
    await renderJobsTab('&queue=email');
    const input = screen.getByRole('combobox', { name: 'Filter by state' });
    fireEvent.click(input);
    fireEvent.change(input, { target: { value: 'FAIL' } });
    await tick(100);
    fireEvent.click(await screen.findByRole('option', { name: 'FAILURE' }));
    await settle();
    expect(Object.fromEntries(currentSearch())).toEqual({ tab: 'jobs', queue: 'email', state: 'FAILURE' });
    expect(statusCalls().at(-1)?.params).toEqual({ limit: 100, queue: 'email', state: 'FAILURE' });
    width.mockRestore();
    height.mockRestore();
  });
});
