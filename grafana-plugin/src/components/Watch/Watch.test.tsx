import { act, fireEvent, screen, within } from '@testing-library/react';
import type { JobState, StatusResponse } from '@jobscope/contract';
import { setVisibility, settle, tick } from '../../test/clock';
import { FakeEventSource, installFakeEventSource } from '../../test/eventSource';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { makeDetail, makeJob, makeStatus } from '../../test/fixtures';
import { renderJobsTab } from '../../test/renderTab';
import { currentSearch, setUserRole } from '../../test/TestRouter';
import { NOTIFICATION_ASKED_KEY, WATCH_STORAGE_KEY } from '../../utils/watches';

const KEY_7 = 'bullmq:bull:email:7';

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static requestPermission = jest.fn(async (): Promise<NotificationPermission> => {
    FakeNotification.permission = 'granted';
    return 'granted';
  });
  static created: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  close = jest.fn();
  constructor(
    readonly title: string,
    readonly options?: NotificationOptions
  ) {
    FakeNotification.created.push(this);
  }
}

function statusWith(state: JobState, extra: Partial<Parameters<typeof makeJob>[0]> = {}): StatusResponse {
  return makeStatus({
    jobs: [
      makeJob({ id: '7', state, nativeState: state === 'RUNNING' ? 'active' : 'x', ...extra }),
      makeJob({ id: '1' }),
    ],
  });
}

function storedWatches(): Array<{ key: string; name: string }> {
  return JSON.parse(window.sessionStorage.getItem(WATCH_STORAGE_KEY) ?? '[]');
}

function watch(key: string, name = 'send-welcome') {
  window.sessionStorage.setItem(WATCH_STORAGE_KEY, JSON.stringify([{ key, name, since: Date.now() }]));
}

const bellOf = (id: string) => {
  const row = screen.getAllByTestId('job-row').find((r) => r.dataset.jobId === id);
  if (!row) {
    throw new Error(`no row ${id}`);
  }
  return within(row).getByTestId('job-watch-toggle');
};

describe('Watched jobs (bell, toasts, notifications)', () => {
  let status: StatusResponse;
  let detail: FakeReply;
  let backend: FakeBackend;

  beforeEach(() => {
    jest.useFakeTimers();
    setVisibility('visible');
    window.sessionStorage.clear();
    setUserRole('Viewer');
    FakeNotification.permission = 'default';
    FakeNotification.requestPermission.mockClear();
    FakeNotification.created = [];
    (globalThis as { Notification?: unknown }).Notification = FakeNotification;
    status = statusWith('RUNNING');
    detail = { status: 200, data: makeDetail({ id: '99', state: 'RUNNING', nativeState: 'active' }) };
    backend = new FakeBackend((call: FakeCall) =>
      call.url.includes('/api/jobs/') ? detail : { status: 200, data: status }
    ).install();
  });
  afterEach(() => {
    setVisibility('visible');
    delete (globalThis as { Notification?: unknown }).Notification;
    jest.useRealTimers();
  });

  const detailCalls = (key: string) => backend.calls.filter((c) => c.url.endsWith(`/api/jobs/${key}`));

  it('the bell toggles a watch kept in sessionStorage; notifications are asked on its first use only', async () => {
    await renderJobsTab();
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled(); // never on page load
    const bell = bellOf('7');
    expect(bell).toHaveAttribute('aria-pressed', 'false');
    fireEvent.click(bell);
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'true');
    expect(storedWatches()).toEqual([{ key: KEY_7, name: 'send-welcome', since: expect.any(Number) }]);
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    expect(window.sessionStorage.getItem(NOTIFICATION_ASKED_KEY)).toBe('1');
    // A bell click does not open the row's drawer.
    expect(currentSearch().get('job')).toBeNull();
    fireEvent.click(bellOf('7'));
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'false');
    expect(window.sessionStorage.getItem(WATCH_STORAGE_KEY)).toBeNull();
    FakeNotification.permission = 'default';
    fireEvent.click(bellOf('7'));
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    // A finished job has nothing to watch.
    expect(bellOf('1')).toBeDisabled();
  });

  it('watches survive a reload, and the drawer shows the same bell', async () => {
    watch(KEY_7);
    const first = await renderJobsTab();
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'true');
    first.unmount();
    await renderJobsTab(`&job=${KEY_7}`);
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'true');
    const drawerBell = within(screen.getByTestId('job-drawer')).getByTestId('job-watch-toggle');
    expect(drawerBell).toHaveAttribute('aria-pressed', 'true');
    fireEvent.click(drawerBell);
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'false');
    expect(storedWatches()).toEqual([]);
  });

  it('polling: a watched job that succeeds raises a toast that opens its drawer, and the watch ends', async () => {
    watch(KEY_7);
    await renderJobsTab();
    expect(screen.queryByTestId('watch-toast')).toBeNull();
    status = statusWith('SUCCESS');
    await tick(2000);
    const toast = screen.getByTestId('watch-toast');
    expect(toast).toHaveAttribute('data-outcome', 'SUCCESS');
    expect(toast).toHaveTextContent('Job send-welcome succeeded');
    expect(toast).toHaveTextContent('#7 on queue email');
    expect(storedWatches()).toEqual([]);
    expect(bellOf('7')).toHaveAttribute('aria-pressed', 'false');
    expect(FakeNotification.created).toHaveLength(0); // visible: a toast only
    fireEvent.click(within(toast).getByRole('button', { name: /Open job/ }));
    await settle();
    expect(currentSearch().get('job')).toBe(KEY_7);
    expect(screen.getByTestId('job-drawer')).toHaveAttribute('data-job-key', KEY_7);
    expect(screen.queryByTestId('watch-toast')).toBeNull();
    // Once only: later replies do not raise it again.
    await tick(4000);
    expect(screen.queryByTestId('watch-toast')).toBeNull();
  });

  it('live: a pushed snapshot with the watched job failed raises an error toast with the reason', async () => {
    const es = installFakeEventSource();
    try {
      watch(KEY_7);
      await renderJobsTab();
      await act(async () => FakeEventSource.latest().emit('snapshot', statusWith('RUNNING')));
      await settle();
      expect(screen.getByTestId('jobs-live-indicator')).toHaveAttribute('data-mode', 'live');
      await act(async () =>
        FakeEventSource.latest().emit('snapshot', statusWith('FAILURE', { error: 'SMTP 451', name: 'send-digest' }))
      );
      await settle();
      const toast = screen.getByTestId('watch-toast');
      expect(toast).toHaveAttribute('data-outcome', 'FAILURE');
      expect(toast).toHaveTextContent('Job send-digest failed');
      expect(toast).toHaveTextContent('SMTP 451');
      expect(storedWatches()).toEqual([]);
    } finally {
      es.restore();
    }
  });

  it('a watched job not in the list has its detail read every 2 s while visible, until it finishes', async () => {
    const key = 'bullmq:bull:email:99';
    watch(key, 'nightly-report');
    await renderJobsTab();
    expect(detailCalls(key)).toHaveLength(1);
    await tick(2000);
    expect(detailCalls(key)).toHaveLength(2);
    await tick(2000);
    expect(detailCalls(key)).toHaveLength(3);
    detail = { status: 200, data: makeDetail({ id: '99', name: 'nightly-report', state: 'SUCCESS' }) };
    await tick(2000);
    expect(screen.getByTestId('watch-toast')).toHaveTextContent('Job nightly-report succeeded');
    const calls = detailCalls(key).length;
    await tick(10_000);
    expect(detailCalls(key)).toHaveLength(calls); // the watch ended: no more reads
  });

  it('a watched job that vanished (404) ends its watch with a warning toast', async () => {
    const key = 'bullmq:bull:email:99';
    watch(key, 'nightly-report');
    detail = { status: 404, data: { error: { code: 'job_not_found', message: 'no such job' } } };
    await renderJobsTab();
    await settle();
    expect(screen.getByTestId('watch-toast')).toHaveAttribute('data-outcome', 'gone');
    expect(storedWatches()).toEqual([]);
  });

  it('hidden and allowed: the finish also raises a browser notification, whose click opens the job', async () => {
    FakeNotification.permission = 'granted';
    watch(KEY_7);
    await renderJobsTab();
    setVisibility('hidden');
    await settle();
    // The list stops while hidden: the watched job's detail is read instead (in the background).
    const before = detailCalls(KEY_7).length;
    detail = { status: 200, data: makeDetail({ id: '7', state: 'SUCCESS', nativeState: 'completed' }) };
    await tick(5000);
    expect(detailCalls(KEY_7).length).toBeGreaterThan(before);
    expect(FakeNotification.created).toHaveLength(1);
    expect(FakeNotification.created[0].title).toBe('Job send-welcome succeeded');
    expect(FakeNotification.created[0].options).toMatchObject({ tag: KEY_7 });
    expect(screen.getByTestId('watch-toast')).toBeInTheDocument();
    const focus = jest.spyOn(window, 'focus').mockImplementation(() => undefined);
    act(() => FakeNotification.created[0].onclick?.());
    await settle();
    expect(currentSearch().get('job')).toBe(KEY_7);
    focus.mockRestore();
  });

  it('hidden but not allowed: a toast only', async () => {
    FakeNotification.permission = 'denied';
    watch(KEY_7);
    await renderJobsTab();
    setVisibility('hidden');
    detail = { status: 200, data: makeDetail({ id: '7', state: 'FAILURE' }) };
    await tick(5000);
    expect(screen.getByTestId('watch-toast')).toHaveAttribute('data-outcome', 'FAILURE');
    expect(FakeNotification.created).toHaveLength(0);
  });

  it('a job started from Run job is watched', async () => {
    setUserRole('Editor');
    backend.handler = (call) =>
      call.method === 'POST'
        ? { status: 201, data: { source: 'bullmq', prefix: 'bull', queue: 'email', id: '42', state: 'PENDING' } }
        : call.url.includes('/api/jobs/')
          ? detail
          : { status: 200, data: status };
    await renderJobsTab();
    fireEvent.click(screen.getByRole('button', { name: /Run job/ }));
    fireEvent.change(screen.getByLabelText('Job name'), { target: { value: 'send-digest' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    expect(screen.getByTestId('run-job-result')).toBeInTheDocument();
    expect(storedWatches()).toEqual([{ key: 'bullmq:bull:email:42', name: 'send-digest', since: expect.any(Number) }]);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
  });

  it('toasts close by themselves after 10 s while the page is visible', async () => {
    watch(KEY_7);
    await renderJobsTab();
    status = statusWith('SUCCESS');
    await tick(2000);
    expect(screen.getByTestId('watch-toast')).toBeInTheDocument();
    await tick(10_000);
    expect(screen.queryByTestId('watch-toast')).toBeNull();
  });
});
