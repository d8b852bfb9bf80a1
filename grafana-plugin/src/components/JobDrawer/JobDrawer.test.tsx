import { act, fireEvent, screen, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import type { JobDetail } from '@jobscope/contract';
import { settle, tick } from '../../test/clock';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { makeDetail, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { PROXY, renderJobsTab } from '../../test/renderTab';
import { currentSearch, setUserRole } from '../../test/TestRouter';

describe('JobDrawer', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let details: Record<string, JobDetail | FakeReply>;
  let logsTotal: number;
  let backend: FakeBackend;

  const route = (call: FakeCall): FakeReply => {
    const path = call.url.replace(PROXY, '');
    if (path === '/api/settings/jobs/status') {
      return { status: 200, data: makeStatus() };
    }
    const logs = /^\/api\/jobs\/(.+)\/logs$/.exec(path);
    if (logs) {
      const offset = Number(call.params?.offset ?? 0);
      const limit = Number(call.params?.limit ?? 100);
      const lines = Array.from(
        { length: Math.max(0, Math.min(limit, logsTotal - offset)) },
        (_, i) => `line ${offset + i + 1}`
      );
      return { status: 200, data: { lines, offset, total: logsTotal } };
    }
    const key = decodeURIComponent(path.replace('/api/jobs/', ''));
    const detail = details[key];
    if (detail === undefined) {
      return { status: 404, data: { error: { code: 'job_not_found', message: `job ${key} not found` } } };
    }
    return typeof detail === 'object' && 'source' in detail ? { status: 200, data: detail } : (detail as FakeReply);
  };

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setUserRole('Viewer');
    logsTotal = 0;
    details = { 'bullmq:bull:email:3': makeDetail() };
    backend = new FakeBackend(route).install();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  const detailCalls = (key: string) => backend.calls.filter((c) => c.url === `${PROXY}/api/jobs/${key}`);

  const row = (id: string) => screen.getAllByTestId('job-row').find((r) => r.dataset.jobId === id)!;

  it('a row click opens the drawer, pushes &job= to history, and Back closes it', async () => {
    await renderJobsTab();
    expect(screen.queryByTestId('job-drawer')).toBeNull();
    const before = locationService.getHistory().length;
    fireEvent.click(row('3'));
    await settle();
    expect(currentSearch().get('job')).toBe('bullmq:bull:email:3');
    expect(locationService.getHistory().length).toBe(before + 1);
    const drawer = screen.getByTestId('job-drawer');
    expect(drawer.dataset.jobKey).toBe('bullmq:bull:email:3');
    expect(row('3').dataset.highlighted).toBe('true');
    expect(within(drawer).getByTestId('job-details')).toHaveTextContent('boom: the whole reason');
    expect(detailCalls('bullmq:bull:email:3')).toHaveLength(1);

    act(() => locationService.getHistory().goBack());
    await settle();
    expect(currentSearch().get('job')).toBeNull();
    expect(screen.queryByTestId('job-drawer')).toBeNull();
  });

  it.each([
    ['Viewer', false],
    ['Editor', true],
  ] as const)('offers the job actions in the drawer too (%s: enabled %s)', async (role, enabled) => {
    setUserRole(role);
    await renderJobsTab('&job=bullmq:bull:email:3');
    const drawer = screen.getByTestId('job-drawer');
    fireEvent.click(within(drawer).getByTestId('job-actions-menu'));
    await settle();
    const retry = screen.getAllByRole('menuitem').find((i) => i.dataset.testid === 'job-action-retry')!;
    expect(retry).toBeInTheDocument();
    if (enabled) {
      expect(retry).toBeEnabled();
    } else {
      expect(retry).toBeDisabled();
    }
  });

  it('opens from the URL (a permalink), and the close button removes &job=', async () => {
    await renderJobsTab('&job=bullmq:bull:email:3');
    expect(screen.getByTestId('job-drawer')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('job-drawer-close'));
    await settle();
    expect(currentSearch().get('job')).toBeNull();
    expect(currentSearch().get('tab')).toBe('jobs');
    expect(screen.queryByTestId('job-drawer')).toBeNull();
  });

  it('tabs render the detail: overview timeline, pretty data with truncation note, result, every stack trace', async () => {
    details['bullmq:bull:email:3'] = makeDetail({
      returnValue: { text: '{"partial": tr', truncated: true, bytes: 123_456 },
    });
    await renderJobsTab('&job=bullmq:bull:email:3');
    expect(screen.getAllByTestId('job-timeline-entry').map((e) => e.dataset.event)).toEqual([
      'created',
      'attempt-failed',
      'finished',
    ]);
    // Grafana's date format in the user's time zone (UTC in tests).
    expect(screen.getAllByTestId('job-timeline-entry')[0]).toHaveTextContent('2026-11-29 12:00:00');

    fireEvent.click(screen.getByTestId('job-drawer-tab-data'));
    expect(screen.getByTestId('job-data-value').textContent).toBe('{\n  "to": "a@example.com",\n  "n": 1\n}');
    expect(screen.queryByTestId('job-value-truncated')).toBeNull();
    expect(screen.getByRole('button', { name: 'Copy data' })).toBeInTheDocument();

    fireEvent.click(screen.getByTestId('job-drawer-tab-result'));
    expect(screen.getByTestId('job-result-value')).toHaveTextContent('{"partial": tr');
    expect(screen.getByTestId('job-value-truncated')).toHaveTextContent('truncated, 123,456 bytes in all');

    fireEvent.click(screen.getByTestId('job-drawer-tab-error'));
    expect(screen.getByTestId('job-failed-reason')).toHaveTextContent('boom: the whole reason');
    expect(screen.getAllByTestId('job-stacktrace-entry').map((e) => e.textContent)).toEqual([
      'Error: first\n    at one (worker.js:1:1)',
      'Error: boom\n    at work (worker.js:10:5)',
    ]);
    expect(screen.getByRole('button', { name: 'Copy error' })).toBeInTheDocument();
  });

  it('logs: opens on the newest page (newest last), "Load older" and the pager read older pages', async () => {
    logsTotal = 250;
    details['bullmq:bull:email:3'] = makeDetail({ logCount: 250 });
    await renderJobsTab('&job=bullmq:bull:email:3');
    fireEvent.click(screen.getByTestId('job-drawer-tab-logs'));
    await settle();
    const logCalls = () => backend.calls.filter((c) => c.url.endsWith('/logs'));
    expect(logCalls().map((c) => c.params)).toEqual([{ offset: 200, limit: 100 }]);
    let lines = screen.getAllByTestId('job-logs-line');
    expect(lines).toHaveLength(50);
    expect(lines.at(-1)).toHaveTextContent('line 250');
    fireEvent.click(screen.getByTestId('job-logs-older'));
    await settle();
    expect(logCalls().at(-1)?.params).toEqual({ offset: 100, limit: 100 });
    lines = screen.getAllByTestId('job-logs-line');
    expect(lines.map((l) => l.textContent)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${101 + i}`));
    fireEvent.click(within(screen.getByTestId('job-logs-pager')).getByRole('button', { name: '1' }));
    await settle();
    expect(logCalls().at(-1)?.params).toEqual({ offset: 0, limit: 100 });
    expect(screen.getAllByTestId('job-logs-line')[0]).toHaveTextContent('line 1');
    expect(screen.getByTestId('job-logs-older')).toBeDisabled();
  });

  it('flow: a child click opens that job (a history entry), its parent link leads back', async () => {
    details['bullmq:bull:email:3'] = makeDetail({
      children: {
        processed: 1,
        unprocessed: 1,
        failed: 0,
        ignored: 0,
        items: [
          {
            ref: { source: 'bullmq', prefix: 'bull', queue: 'reports', id: 'c1' },
            state: 'SUCCESS',
            nativeState: 'completed',
          },
          {
            ref: { source: 'bullmq', prefix: 'bull', queue: 'reports', id: 'c2' },
            state: null,
            nativeState: 'unknown',
          },
        ],
      },
    });
    details['bullmq:bull:reports:c1'] = makeDetail({
      id: 'c1',
      queue: 'reports',
      name: 'child-job',
      state: 'SUCCESS',
      parent: { source: 'bullmq', prefix: 'bull', queue: 'email', id: '3' },
    });
    await renderJobsTab('&job=bullmq:bull:email:3');
    fireEvent.click(screen.getByTestId('job-drawer-tab-flow'));
    const children = screen.getAllByTestId('job-flow-child');
    expect(children.map((c) => c.dataset.jobKey)).toEqual(['bullmq:bull:reports:c1', 'bullmq:bull:reports:c2']);
    expect(screen.queryByTestId('job-flow-parent')).toBeNull();
    fireEvent.click(children[0]);
    await settle();
    expect(currentSearch().get('job')).toBe('bullmq:bull:reports:c1');
    expect(screen.getByTestId('job-drawer').dataset.jobKey).toBe('bullmq:bull:reports:c1');
    // A new job's drawer starts on Overview.
    expect(screen.getByTestId('job-details')).toHaveTextContent('child-job');
    fireEvent.click(screen.getByTestId('job-drawer-tab-flow'));
    expect(screen.getByTestId('job-flow-parent').dataset.jobKey).toBe('bullmq:bull:email:3');
    act(() => locationService.getHistory().goBack());
    await settle();
    expect(screen.getByTestId('job-drawer').dataset.jobKey).toBe('bullmq:bull:email:3');
  });

  it('a job that no longer exists (404) says so and does not poll', async () => {
    await renderJobsTab('&job=bullmq:bull:email:gone');
    expect(screen.getByTestId('job-drawer-not-found')).toHaveTextContent('This job no longer exists');
    await tick(6000);
    expect(detailCalls('bullmq:bull:email:gone')).toHaveLength(1);
  });

  it('refreshes every 2 s while RUNNING and stops once the job finished', async () => {
    details['bullmq:bull:email:7'] = makeDetail({ id: '7', state: 'RUNNING', nativeState: 'active' });
    await renderJobsTab('&job=bullmq:bull:email:7');
    const calls = () => detailCalls('bullmq:bull:email:7').length;
    expect(calls()).toBe(1);
    await tick(2000);
    expect(calls()).toBe(2);
    await tick(2000);
    expect(calls()).toBe(3);
    details['bullmq:bull:email:7'] = makeDetail({ id: '7', state: 'SUCCESS', nativeState: 'completed' });
    await tick(2000);
    expect(calls()).toBe(4);
    expect(within(screen.getByTestId('job-details')).getByTestId('job-state')).toHaveTextContent('SUCCESS');
    await tick(10_000);
    expect(calls()).toBe(4);
  });

  it('does not refresh while paused, nor after it closed', async () => {
    details['bullmq:bull:email:7'] = makeDetail({ id: '7', state: 'PENDING', nativeState: 'wait' });
    await renderJobsTab('&job=bullmq:bull:email:7');
    const calls = () => detailCalls('bullmq:bull:email:7').length;
    fireEvent.click(screen.getByRole('button', { name: /Pause/ }));
    await tick(6000);
    expect(calls()).toBe(1);
    fireEvent.click(screen.getByRole('button', { name: /Resume/ }));
    await tick(2000);
    expect(calls()).toBe(2);
    fireEvent.click(screen.getByTestId('job-drawer-close'));
    await settle();
    await tick(6000);
    expect(calls()).toBe(2);
  });

  it('"Show Jobs" of the Run job modal lands with the new job\'s drawer open', async () => {
    setUserRole('Editor');
    details['bullmq:bull:email:42'] = makeDetail({ id: '42', state: 'PENDING', name: 'fresh' });
    backend.handler = (call) =>
      call.method === 'POST'
        ? { status: 201, data: { source: 'bullmq', prefix: 'bull', queue: 'email', id: '42', state: 'PENDING' } }
        : route(call);
    await renderJobsTab();
    fireEvent.click(screen.getByRole('button', { name: /Run job/ }));
    fireEvent.change(screen.getByPlaceholderText('e.g. send-welcome-email'), { target: { value: 'fresh' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Show Jobs' }));
    await settle();
    expect(currentSearch().get('job')).toBe('bullmq:bull:email:42');
    expect(screen.getByTestId('job-drawer').dataset.jobKey).toBe('bullmq:bull:email:42');
    expect(screen.getByTestId('job-details')).toHaveTextContent('fresh');
  });
});
