import { act, fireEvent, screen, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { emptyStateCounts, type StatusResponse } from '@jobscope/contract';
import { settle, tick } from '../../test/clock';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { makeJob, makeQueue, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { renderJobsTab } from '../../test/renderTab';
import { currentSearch, setUserRole } from '../../test/TestRouter';

const failedPage = (ids: string[], nextCursor: string | null): StatusResponse =>
  makeStatus({
    jobs: ids.map((id) => makeJob({ id, state: 'FAILURE', nativeState: 'failed', error: 'boom' })),
    nextCursor,
    queues: [
      makeQueue({ counts: { ...emptyStateCounts(), FAILURE: 30_000 } }),
      makeQueue({ name: 'reports', counts: { ...emptyStateCounts(), FAILURE: 20_000 } }),
    ],
  });

describe('Jobs toolbar, search and pages', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let status: (call: FakeCall) => FakeReply;
  let searchReply: FakeReply;
  let backend: FakeBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setUserRole('Viewer');
    status = () => ({ status: 200, data: makeStatus() });
    searchReply = {
      status: 200,
      data: { q: 'x', jobs: [makeJob({ id: 's1' })], searched: { jobs: 1200, window: 1000, complete: false } },
    };
    backend = new FakeBackend((call) => (call.url.endsWith('/api/jobs/search') ? searchReply : status(call))).install();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  const statusCalls = () => backend.callsTo('/api/settings/jobs/status');
  const searchCalls = () => backend.callsTo('/api/jobs/search');
  const ids = () => screen.queryAllByTestId('job-row').map((r) => r.dataset.jobId);

  it('a dashboard link (?tab=jobs&queue=x&state=FAILURE) still filters', async () => {
    await renderJobsTab('&queue=email&state=FAILURE');
    expect(statusCalls()[0].params).toEqual({ limit: 100, queue: 'email', state: 'FAILURE' });
  });

  it('every filter from the URL goes to the status request: several queues, name, from, to', async () => {
    await renderJobsTab('&queue=email,reports&state=SUCCESS&name=send&from=1795000000000&to=2026-12-01T00:00:00Z');
    expect(statusCalls()[0].params).toEqual({
      limit: 100,
      queue: 'email,reports',
      state: 'SUCCESS',
      name: 'send',
      from: '1795000000000',
      to: '2026-12-01T00:00:00Z',
    });
    // The time fields show Grafana's date format in the user's time zone (UTC here).
    expect(screen.getByTestId('jobs-to')).toHaveValue('2026-12-01 00:00:00');
    const multi = screen.getByTestId('jobs-queue-multiselect');
    expect(within(multi).getByText('email')).toBeInTheDocument();
    expect(within(multi).getByText('reports')).toBeInTheDocument();
  });

  it('the name and time fields write the URL (pushing history) and refetch with it', async () => {
    await renderJobsTab();
    const name = screen.getByTestId('jobs-name-input');
    fireEvent.change(name, { target: { value: 'send-welcome' } });
    fireEvent.keyDown(name, { key: 'Enter' });
    await settle();
    expect(currentSearch().get('name')).toBe('send-welcome');
    expect(statusCalls().at(-1)?.params).toEqual({ limit: 100, name: 'send-welcome' });

    const from = screen.getByTestId('jobs-from');
    fireEvent.change(from, { target: { value: '2026-11-29 12:00:00' } });
    fireEvent.blur(from);
    await settle();
    expect(currentSearch().get('from')).toBe(String(Date.UTC(2026, 10, 29, 12)));
    expect(statusCalls().at(-1)?.params).toMatchObject({ from: String(Date.UTC(2026, 10, 29, 12)) });

    // Not a time: marked invalid, not applied.
    const to = screen.getByTestId('jobs-to');
    fireEvent.change(to, { target: { value: 'yesterday-ish' } });
    fireEvent.blur(to);
    await settle();
    expect(currentSearch().get('to')).toBeNull();

    act(() => locationService.getHistory().goBack());
    await settle();
    expect(currentSearch().get('from')).toBeNull();
    expect(screen.getByTestId('jobs-from')).toHaveValue('');
  });

  it('choosing queues in the multi-select writes a comma list to the URL and the request', async () => {
    await renderJobsTab();
    const input = within(screen.getByTestId('jobs-queue-multiselect')).getByRole('combobox');
    const option = async (name: string) =>
      (await screen.findAllByTestId('data-testid Select option')).find((o) => o.textContent === name)!;
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.click(await option('reports'));
    await settle();
    expect(currentSearch().get('queue')).toBe('reports');
    fireEvent.keyDown(within(screen.getByTestId('jobs-queue-multiselect')).getByRole('combobox'), { key: 'ArrowDown' });
    fireEvent.click(await option('email'));
    await settle();
    expect(currentSearch().get('queue')).toBe('reports,email');
    expect(statusCalls().at(-1)?.params).toEqual({ limit: 100, queue: 'reports,email' });
  });

  it('search is debounced 300 ms, goes to the URL as q=, and shows the search results instead of the list', async () => {
    await renderJobsTab('&queue=email');
    const box = screen.getByTestId('jobs-search-input');
    fireEvent.change(box, { target: { value: 'a' } });
    await tick(100);
    fireEvent.change(box, { target: { value: 'abc' } });
    await tick(299);
    expect(currentSearch().get('q')).toBeNull();
    expect(searchCalls()).toHaveLength(0);
    await tick(1);
    await settle();
    expect(currentSearch().get('q')).toBe('abc');
    expect(searchCalls()).toHaveLength(1);
    expect(searchCalls()[0].params).toEqual({ q: 'abc', queue: 'email', limit: 100, window: 1000 });
    expect(ids()).toEqual(['s1']);
    expect(screen.getByTestId('search-summary')).toHaveTextContent('searched the newest 1,000 per queue');
    expect(screen.queryByTestId('jobs-showing')).toBeNull();
    // Clearing the box returns to the status list.
    fireEvent.change(box, { target: { value: '' } });
    await tick(300);
    await settle();
    expect(currentSearch().get('q')).toBeNull();
    expect(ids()).toEqual(['7', '3', '1']);
  });

  it('a search without a match says where it looked; a failed search says why', async () => {
    searchReply = {
      status: 200,
      data: { q: 'zzz', jobs: [], searched: { jobs: 2000, window: 1000, complete: false } },
    };
    await renderJobsTab('&q=zzz');
    expect(screen.getByTestId('jobs-search-input')).toHaveValue('zzz');
    expect(screen.getByTestId('search-empty')).toHaveTextContent('No match in the newest 1,000 per queue');
    expect(ids()).toEqual([]);
    searchReply = {
      status: 400,
      data: { error: { code: 'invalid_query', message: 'q must be at most 200 characters' } },
    };
    act(() => locationService.partial({ q: 'other' }));
    await settle();
    expect(screen.getByTestId('search-error')).toHaveTextContent('q must be at most 200 characters');
  });

  it('"Load more" follows nextCursor and appends; a filter change drops the pages; "showing N of M"', async () => {
    status = (call) =>
      call.params?.cursor === 'c1'
        ? { status: 200, data: failedPage(['f3', 'f4'], 'c2') }
        : call.params?.cursor === 'c2'
          ? { status: 200, data: failedPage(['f4', 'f5'], null) }
          : { status: 200, data: failedPage(['f1', 'f2'], 'c1') };
    await renderJobsTab('&state=FAILURE');
    expect(ids()).toEqual(['f1', 'f2']);
    expect(screen.getByTestId('jobs-showing')).toHaveTextContent('showing 2 of 50,000 failed');
    fireEvent.click(screen.getByTestId('jobs-load-more'));
    await settle();
    expect(statusCalls().at(-1)?.params).toEqual({ limit: 100, state: 'FAILURE', cursor: 'c1' });
    expect(ids()).toEqual(['f1', 'f2', 'f3', 'f4']);
    fireEvent.click(screen.getByTestId('jobs-load-more'));
    await settle();
    // Each job once, and no more button on the last page.
    expect(ids()).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    expect(screen.queryByTestId('jobs-load-more')).toBeNull();
    expect(screen.getByTestId('jobs-showing')).toHaveTextContent('showing 5 of 50,000 failed');
    // The first page keeps polling; the loaded pages stay below it.
    const before = statusCalls().length;
    await tick(2000);
    expect(statusCalls()).toHaveLength(before + 1);
    expect(statusCalls().at(-1)?.params).toEqual({ limit: 100, state: 'FAILURE' });
    expect(ids()).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    // Another filter starts again from its first page.
    act(() => locationService.partial({ queue: 'email' }));
    await settle();
    expect(ids()).toEqual(['f1', 'f2']);
    expect(screen.getByTestId('jobs-showing')).toHaveTextContent('showing 2 of 30,000 failed');
    expect(screen.getByTestId('jobs-load-more')).toBeInTheDocument();
    // Back to the first filter: its pages were dropped too.
    act(() => locationService.getHistory().goBack());
    await settle();
    expect(ids()).toEqual(['f1', 'f2']);
  });

  it('without a state there is no "Load more"; an incomplete name filter says so', async () => {
    status = () => ({ status: 200, data: makeStatus({ nextCursor: null, complete: false }) });
    await renderJobsTab('&name=send-welcome');
    expect(screen.queryByTestId('jobs-load-more')).toBeNull();
    expect(screen.getByTestId('jobs-showing')).toHaveTextContent('showing 3 of 9 jobs');
    expect(screen.getByTestId('jobs-incomplete')).toHaveTextContent('newest 10,000 jobs per queue and state');
  });
});
