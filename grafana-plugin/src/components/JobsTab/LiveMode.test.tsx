import { act, fireEvent, screen } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { settle, tick } from '../../test/clock';
import { FakeEventSource, installFakeEventSource } from '../../test/eventSource';
import { FakeBackend } from '../../test/fakeBackend';
import { makeJob, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { renderJobsTab } from '../../test/renderTab';
import { setUserRole } from '../../test/TestRouter';

async function push(type: string, data: unknown) {
  await act(async () => FakeEventSource.latest().emit(type, data));
  await settle();
}

const indicator = () => screen.getByTestId('jobs-live-indicator');

describe('JobsTab live mode', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let eventSource: ReturnType<typeof installFakeEventSource>;
  let backend: FakeBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    eventSource = installFakeEventSource();
    window.sessionStorage.clear();
    setUserRole('Viewer');
    backend = new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
  });
  afterEach(() => {
    eventSource.restore();
    intervals.restore();
    jest.useRealTimers();
  });

  const statusCalls = () => backend.callsTo('/api/settings/jobs/status').length;

  it('says "Polling every 2 s" until the stream delivers, then "Live"; the rows follow the stream', async () => {
    await renderJobsTab('&queue=email');
    expect(indicator()).toHaveAttribute('data-mode', 'polling');
    expect(indicator()).toHaveTextContent('Polling every 2 s');
    expect(FakeEventSource.latest().url).toContain('/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/stream?');
    await push('snapshot', makeStatus({ jobs: [makeJob({ id: 'live-1' })] }));
    expect(indicator()).toHaveAttribute('data-mode', 'live');
    expect(indicator()).toHaveTextContent(/^Live$/);
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['live-1']);
    await tick(10_000);
    expect(statusCalls()).toBe(1);
    expect(screen.getByTestId('jobs-updated')).toHaveTextContent('last change 10 s ago');
    await push('snapshot', makeStatus({ jobs: [makeJob({ id: 'live-2' })] }));
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['live-2']);
    expect(screen.getByTestId('jobs-updated')).toHaveTextContent('last change 0 s ago');
  });

  it('falls back to "Polling every 2 s" when the stream stays silent for 5 s', async () => {
    await renderJobsTab();
    await tick(5000);
    expect(indicator()).toHaveAttribute('data-mode', 'polling');
    expect(FakeEventSource.open()).toHaveLength(0);
    const before = statusCalls();
    await tick(2000);
    expect(statusCalls()).toBe(before + 1);
  });

  it('Pause says "Paused" and closes the stream; Resume reopens it', async () => {
    await renderJobsTab();
    await push('snapshot', makeStatus());
    fireEvent.click(screen.getByRole('button', { name: /Pause/ }));
    await settle();
    expect(indicator()).toHaveAttribute('data-mode', 'paused');
    expect(FakeEventSource.open()).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: /Resume/ }));
    await settle();
    expect(FakeEventSource.open()).toHaveLength(1);
    await push('snapshot', makeStatus());
    expect(indicator()).toHaveAttribute('data-mode', 'live');
  });

  it('manual Refresh while live fetches once and keeps the stream', async () => {
    await renderJobsTab();
    await push('snapshot', makeStatus());
    fireEvent.click(screen.getByRole('button', { name: /Refresh/ }));
    await settle();
    expect(statusCalls()).toBe(2);
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(intervals.live()).toBe(0);
  });

  it('a stale event shows the Redis banner and marks the rows stale; the next snapshot clears it', async () => {
    await renderJobsTab();
    await push('snapshot', makeStatus());
    await push('stale', { error: 'connect ECONNREFUSED 127.0.0.1:6379' });
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent('Redis unavailable');
    expect(screen.getByTestId('jobs-error-banner')).toHaveTextContent('connect ECONNREFUSED');
    expect(screen.getByTestId('jobs-stale')).toBeInTheDocument();
    await push('snapshot', makeStatus());
    expect(screen.queryByTestId('jobs-error-banner')).toBeNull();
    expect(screen.queryByTestId('jobs-stale')).toBeNull();
  });

  it('a filter change reopens the stream on the new filter', async () => {
    await renderJobsTab('&queue=email');
    const first = FakeEventSource.latest();
    act(() => locationService.partial({ queue: 'reports', state: 'FAILURE' }));
    await settle();
    expect(first.closed).toBe(true);
    expect(FakeEventSource.open().map((s) => s.url)).toEqual([
      '/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/stream?limit=100&queue=reports&state=FAILURE',
    ]);
  });
});
