import React from 'react';
import { act, fireEvent, screen, within } from '@testing-library/react';
import { emptyStateCounts } from '@jobscope/contract';
import { captureToasts, type Toast } from '../../test/appEvents';
import { FakeBackend, type FakeReply } from '../../test/fakeBackend';
import { makeQueue, makeStatus } from '../../test/fixtures';
import { PROXY, renderTab } from '../../test/renderTab';
import { setUserRole } from '../../test/TestRouter';
import { QueuesTab } from './QueuesTab';

const BUTTONS = ['queue-action-pause', 'queue-action-retry-failed', 'queue-action-clean'];

async function settle() {
  await act(async () => {});
}

function queueRow(name: string): HTMLElement {
  return screen.getAllByTestId('queue-row').find((r) => r.dataset.queue === name)!;
}

describe('queue actions', () => {
  let backend: FakeBackend;
  let toasts: Toast[];
  let actionReply: FakeReply;
  let statusAfter: FakeReply;

  beforeEach(() => {
    toasts = captureToasts();
    actionReply = { status: 500, data: { error: { code: 'internal', message: 'unexpected' } } };
    statusAfter = { status: 200, data: makeStatus() };
    let statusCalls = 0;
    backend = new FakeBackend((call) => {
      if (call.method === 'POST') {
        return actionReply;
      }
      if (call.url.endsWith('/api/audit')) {
        return { status: 200, data: { entries: [] } };
      }
      statusCalls += 1;
      return statusCalls === 1 ? { status: 200, data: makeStatus() } : statusAfter;
    }).install();
  });

  async function renderQueues(role: 'Viewer' | 'Editor' | 'Admin') {
    setUserRole(role);
    renderTab('queues', <QueuesTab />);
    await settle();
  }

  const posts = () => backend.calls.filter((c) => c.method === 'POST');

  it.each(['Viewer', 'Editor'] as const)(
    'a %s sees the queue actions disabled, needing the Admin role',
    async (role) => {
      await renderQueues(role);
      const email = queueRow('email');
      for (const id of BUTTONS) {
        const button = within(email).getByTestId(id);
        expect(button).toBeDisabled();
        expect(button.closest('[data-disabled-reason]')).toHaveAttribute(
          'data-disabled-reason',
          'Needs the Admin role'
        );
      }
      // The paused queue offers Resume instead of Pause.
      expect(within(queueRow('reports')).getByTestId('queue-action-resume')).toBeDisabled();
    }
  );

  it('an Admin gets them enabled (Retry failed only with failed jobs)', async () => {
    await renderQueues('Admin');
    for (const id of BUTTONS) {
      expect(within(queueRow('email')).getByTestId(id)).toBeEnabled();
    }
    const reportsRetry = within(queueRow('reports')).getByTestId('queue-action-retry-failed');
    expect(reportsRetry).toBeDisabled();
    expect(reportsRetry.closest('[data-disabled-reason]')).toHaveAttribute('data-disabled-reason', 'No failed jobs');
  });

  it('pause posts to the queue path, shows the queue paused at once and toasts', async () => {
    await renderQueues('Admin');
    actionReply = {
      status: 200,
      data: { action: 'pause', queue: { source: 'bullmq', prefix: 'bull', name: 'email' }, touched: 0, paused: true },
    };
    statusAfter = 'hang';
    fireEvent.click(within(queueRow('email')).getByTestId('queue-action-pause'));
    await settle();
    expect(posts()).toEqual([
      expect.objectContaining({ url: `${PROXY}/api/queues/bullmq:bull:email/pause`, data: undefined }),
    ]);
    expect(within(queueRow('email')).getByText('paused')).toBeInTheDocument();
    expect(within(queueRow('email')).getByTestId('queue-action-resume')).toBeEnabled();
    expect(toasts).toEqual([{ kind: 'success', payload: ['Queue email paused'] }]);
  });

  it('retry failed confirms with the count, sends it as the limit and toasts touched', async () => {
    await renderQueues('Admin');
    actionReply = {
      status: 200,
      data: {
        action: 'retry-failed',
        queue: { source: 'bullmq', prefix: 'bull', name: 'email' },
        touched: 1,
        paused: false,
      },
    };
    fireEvent.click(within(queueRow('email')).getByTestId('queue-action-retry-failed'));
    await settle();
    expect(screen.getByTestId('confirm-retry-failed')).toHaveTextContent('Retry 1 failed job of queue email?');
    fireEvent.click(screen.getByRole('button', { name: 'Retry failed' }));
    await settle();
    expect(posts()).toEqual([
      expect.objectContaining({ url: `${PROXY}/api/queues/bullmq:bull:email/retry-failed`, data: { limit: 1 } }),
    ]);
    expect(toasts).toEqual([{ kind: 'success', payload: ['1 failed job of queue email retried'] }]);
  });

  it('clean needs the queue name typed; sends state, age and limit; toasts touched', async () => {
    await renderQueues('Admin');
    actionReply = {
      status: 200,
      data: { action: 'clean', queue: { source: 'bullmq', prefix: 'bull', name: 'email' }, touched: 3, paused: false },
    };
    fireEvent.click(within(queueRow('email')).getByTestId('queue-action-clean'));
    await settle();
    const dialog = screen.getByTestId('confirm-clean');
    const confirm = screen.getByRole('button', { name: 'Clean' });
    expect(screen.getByTestId('clean-older-than')).toHaveValue(24);
    expect(screen.getByTestId('clean-limit')).toHaveValue(1000);
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByTestId('confirm-clean-input'), { target: { value: 'emai' } });
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByTestId('confirm-clean-input'), { target: { value: 'email' } });
    await settle();
    expect(confirm).toBeEnabled();
    fireEvent.click(within(dialog).getByLabelText('FAILURE'));
    fireEvent.change(screen.getByTestId('clean-older-than'), { target: { value: '48' } });
    fireEvent.change(screen.getByTestId('clean-limit'), { target: { value: '0' } });
    await settle();
    expect(screen.getByText('Enter a whole number from 1 to 10,000')).toBeInTheDocument();
    expect(confirm).toBeDisabled();
    fireEvent.change(screen.getByTestId('clean-limit'), { target: { value: '500' } });
    await settle();
    fireEvent.click(confirm);
    await settle();
    expect(posts()).toEqual([
      expect.objectContaining({
        url: `${PROXY}/api/queues/bullmq:bull:email/clean`,
        data: { state: 'FAILURE', olderThanMs: 48 * 3_600_000, limit: 500 },
      }),
    ]);
    expect(toasts).toEqual([{ kind: 'success', payload: ['3 FAILURE jobs removed from queue email'] }]);
    expect(screen.queryByTestId('confirm-clean')).toBeNull();
  });

  it("a rejected queue action shows the service's message", async () => {
    await renderQueues('Admin');
    actionReply = { status: 403, data: { error: { code: 'writes_disabled', message: 'writes are disabled' } } };
    fireEvent.click(within(queueRow('email')).getByTestId('queue-action-pause'));
    await settle();
    expect(toasts).toEqual([{ kind: 'error', payload: ['Could not pause queue email', 'writes are disabled'] }]);
  });

  it('a queue key with special characters is encoded in the path', async () => {
    backend.handler = (call) =>
      call.method === 'POST'
        ? {
            status: 200,
            data: {
              action: 'pause',
              queue: { source: 'bullmq', prefix: 'b:x', name: 'a b' },
              touched: 0,
              paused: true,
            },
          }
        : call.url.endsWith('/api/audit')
          ? { status: 200, data: { entries: [] } }
          : {
              status: 200,
              data: makeStatus({ queues: [makeQueue({ name: 'a b', prefix: 'b:x', counts: emptyStateCounts() })] }),
            };
    await renderQueues('Admin');
    fireEvent.click(within(queueRow('a b')).getByTestId('queue-action-pause'));
    await settle();
    expect(posts()[0].url).toBe(`${PROXY}/api/queues/bullmq:b%253Ax:a%2520b/pause`);
  });
});
