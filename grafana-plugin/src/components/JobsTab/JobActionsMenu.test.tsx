import { act, fireEvent, screen, within } from '@testing-library/react';
import type { JobSummary } from '@jobscope/contract';
import { captureToasts, type Toast } from '../../test/appEvents';
import { settle } from '../../test/clock';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { makeJob, makeStatus } from '../../test/fixtures';
import { trackIntervals } from '../../test/intervals';
import { PROXY, renderJobsTab } from '../../test/renderTab';
import { setUserPermissions, setUserRole } from '../../test/TestRouter';

const JOBS: JobSummary[] = [
  makeJob({ id: 'r', state: 'RUNNING', nativeState: 'active', finishedAt: null, finishedAtMs: null, result: null }),
  makeJob({ id: 'p', state: 'PENDING', nativeState: 'wait', startedAt: null, startedAtMs: null, result: null }),
  makeJob({ id: 'd', state: 'DELAYED', nativeState: 'delayed', dueAtMs: Date.UTC(2026, 10, 29, 13), result: null }),
  makeJob({ id: 'f', state: 'FAILURE', nativeState: 'failed', result: null, error: 'boom' }),
  makeJob({ id: 's', state: 'SUCCESS' }),
];

function row(id: string): HTMLElement {
  const found = screen.getAllByTestId('job-row').find((r) => r.dataset.jobId === id);
  if (!found) {
    throw new Error(`no row ${id}`);
  }
  return found;
}

/** Opens a row's action menu; returns the menu items by test id. */
async function openMenu(id: string): Promise<Record<string, HTMLElement>> {
  fireEvent.click(within(row(id)).getByTestId('job-actions-menu'));
  await settle();
  const items = screen.getAllByRole('menuitem');
  return Object.fromEntries(items.map((i) => [i.dataset.testid ?? '', i]));
}

describe('job actions menu', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let backend: FakeBackend;
  let toasts: Toast[];
  /** Answer of the next action POST. */
  let actionReply: FakeReply;
  /** Answer of status polls after the first one ('hang' keeps the cache as the action left it). */
  let statusAfter: FakeReply;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setUserRole('Editor');
    toasts = captureToasts();
    actionReply = { status: 500, data: { error: { code: 'internal', message: 'unexpected' } } };
    statusAfter = { status: 200, data: makeStatus({ jobs: JOBS }) };
    let statusCalls = 0;
    backend = new FakeBackend((call: FakeCall) => {
      if (call.method === 'POST') {
        return actionReply;
      }
      if (call.url.endsWith('/api/settings/jobs/status')) {
        statusCalls += 1;
        return statusCalls === 1 ? { status: 200, data: makeStatus({ jobs: JOBS }) } : statusAfter;
      }
      return { status: 404, data: { error: { code: 'not_found', message: 'no' } } };
    }).install();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  const posts = () => backend.calls.filter((c) => c.method === 'POST');

  it.each([
    ['r', ['job-action-cancel']],
    ['p', ['job-action-remove']],
    ['d', ['job-action-promote', 'job-action-remove']],
    ['f', ['job-action-retry', 'job-action-remove']],
    ['s', ['job-action-retry', 'job-action-remove']],
  ])('job %s offers only the actions of its state', async (id, expected) => {
    await renderJobsTab();
    const items = await openMenu(id);
    expect(Object.keys(items)).toEqual(expected);
    for (const item of Object.values(items)) {
      expect(item).toBeEnabled();
    }
  });

  it('a Viewer sees the actions disabled, with the role needed in a tooltip', async () => {
    setUserRole('Viewer');
    await renderJobsTab();
    const items = await openMenu('f');
    expect(Object.values(items).map((i) => i.hasAttribute('disabled'))).toEqual([true, true]);
    expect(items['job-action-retry'].closest('[data-disabled-reason]')).toHaveAttribute(
      'data-disabled-reason',
      'Needs the Editor role'
    );
    fireEvent.mouseEnter(items['job-action-retry'].closest('[data-disabled-reason]')!);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(500);
    });
    expect(await screen.findByText('Needs the Editor role')).toBeInTheDocument();
    fireEvent.click(items['job-action-retry']);
    await settle();
    expect(posts()).toHaveLength(0);
  });

  it('with RBAC permissions in boot data, the permission decides, not the org role', async () => {
    setUserRole('Viewer');
    setUserPermissions({ 'jobscope-jobs-app.jobs:read': true, 'jobscope-jobs-app.jobs:write': true });
    await renderJobsTab();
    expect(Object.values(await openMenu('s')).every((i) => !i.hasAttribute('disabled'))).toBe(true);
  });

  it('an Admin without jobs:write in RBAC gets the actions disabled', async () => {
    setUserRole('Admin');
    setUserPermissions({ 'jobscope-jobs-app.jobs:read': true, 'dashboards:read': true });
    await renderJobsTab();
    expect(Object.values(await openMenu('s')).every((i) => i.hasAttribute('disabled'))).toBe(true);
  });

  it('opening the menu does not toggle the row details', async () => {
    await renderJobsTab();
    await openMenu('f');
    expect(screen.queryByTestId('job-details')).toBeNull();
  });

  it('retry: posts to the job path, writes the returned job into the row at once, toasts, and refetches', async () => {
    await renderJobsTab();
    const failed = JOBS[3];
    actionReply = {
      status: 200,
      data: { action: 'retry', job: { ...failed, state: 'PENDING', nativeState: 'wait', error: null } },
    };
    statusAfter = 'hang';
    const items = await openMenu('f');
    fireEvent.click(items['job-action-retry']);
    await settle();
    expect(posts()).toEqual([
      expect.objectContaining({ url: `${PROXY}/api/jobs/bullmq:bull:email:f/retry`, data: undefined }),
    ]);
    expect(row('f').dataset.state).toBe('PENDING');
    expect(within(row('f')).getByText('PENDING')).toBeInTheDocument();
    expect(toasts).toEqual([{ kind: 'success', payload: ['Job f of queue email retried (now PENDING)'] }]);
    // The status query is invalidated: a refetch went out at once (it hangs here, so the row is the cache's).
    expect(backend.callsTo('/api/settings/jobs/status')).toHaveLength(2);
  });

  it("a 409 wrong_state shows the service's message in an error toast and keeps the row", async () => {
    await renderJobsTab();
    actionReply = {
      status: 409,
      data: { error: { code: 'wrong_state', message: 'job s is PENDING now; retry needs FAILURE or SUCCESS' } },
    };
    fireEvent.click((await openMenu('s'))['job-action-retry']);
    await settle();
    expect(toasts).toEqual([
      { kind: 'error', payload: ['Could not retry job s', 'job s is PENDING now; retry needs FAILURE or SUCCESS'] },
    ]);
    expect(row('s').dataset.state).toBe('SUCCESS');
  });

  it('promote posts promote and shows the new state', async () => {
    await renderJobsTab();
    actionReply = {
      status: 200,
      data: { action: 'promote', job: { ...JOBS[2], state: 'PENDING', nativeState: 'wait' } },
    };
    statusAfter = 'hang';
    fireEvent.click((await openMenu('d'))['job-action-promote']);
    await settle();
    expect(posts()[0].url).toBe(`${PROXY}/api/jobs/bullmq:bull:email:d/promote`);
    expect(row('d').dataset.state).toBe('PENDING');
  });

  it('remove asks first; confirming removes the row and toasts, dismissing sends nothing', async () => {
    await renderJobsTab();
    fireEvent.click((await openMenu('s'))['job-action-remove']);
    await settle();
    expect(screen.getByTestId('confirm-remove')).toHaveTextContent('Remove job s (send-welcome) from queue email?');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await settle();
    expect(screen.queryByTestId('confirm-remove')).toBeNull();
    expect(posts()).toHaveLength(0);

    actionReply = { status: 200, data: { action: 'remove', job: null } };
    statusAfter = 'hang';
    fireEvent.click((await openMenu('s'))['job-action-remove']);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await settle();
    expect(posts()).toEqual([expect.objectContaining({ url: `${PROXY}/api/jobs/bullmq:bull:email:s/remove` })]);
    expect(screen.getAllByTestId('job-row').map((r) => r.dataset.jobId)).toEqual(['r', 'p', 'd', 'f']);
    expect(toasts).toEqual([{ kind: 'success', payload: ['Job s of queue email removed'] }]);
  });

  it('cancel asks first, sends the reason, and says how many workers got it; no_listener is an error toast', async () => {
    await renderJobsTab();
    actionReply = { status: 202, data: { action: 'cancel', job: JOBS[0], delivered: 1 } };
    fireEvent.click((await openMenu('r'))['job-action-cancel']);
    await settle();
    fireEvent.change(screen.getByTestId('confirm-cancel-reason'), { target: { value: 'stuck' } });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await settle();
    expect(posts()).toEqual([
      expect.objectContaining({ url: `${PROXY}/api/jobs/bullmq:bull:email:r/cancel`, data: { reason: 'stuck' } }),
    ]);
    expect(toasts.at(-1)).toEqual({
      kind: 'success',
      payload: ['Cancel requested for job r of queue email (sent to 1 worker)'],
    });

    actionReply = {
      status: 409,
      data: { error: { code: 'no_listener', message: 'no worker of queue email accepts remote cancel' } },
    };
    fireEvent.click((await openMenu('r'))['job-action-cancel']);
    await settle();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await settle();
    expect(posts().at(-1)?.data).toBeUndefined();
    expect(toasts.at(-1)).toEqual({
      kind: 'error',
      payload: ['Could not cancel job r', 'no worker of queue email accepts remote cancel'],
    });
  });

  it('a job key with special characters is encoded in the path', async () => {
    const odd = makeJob({ id: 'a/b:c', queue: 'mail box', state: 'FAILURE', nativeState: 'failed' });
    backend.handler = (call) =>
      call.method === 'POST'
        ? { status: 200, data: { action: 'retry', job: { ...odd, state: 'PENDING', nativeState: 'wait' } } }
        : { status: 200, data: makeStatus({ jobs: [odd] }) };
    await renderJobsTab();
    fireEvent.click((await openMenu('a/b:c'))['job-action-retry']);
    await settle();
    expect(posts()[0].url).toBe(`${PROXY}/api/jobs/bullmq:bull:mail%2520box:a%252Fb%253Ac/retry`);
  });
});
