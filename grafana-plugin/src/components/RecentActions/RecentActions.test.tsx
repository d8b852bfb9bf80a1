import React, { type ReactElement } from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { AuditEntry } from '@jobscope/contract';
import { captureToasts } from '../../test/appEvents';
import { FakeBackend, type FakeReply } from '../../test/fakeBackend';
import { makeAuditEntry, makeStatus } from '../../test/fixtures';
import { renderTab } from '../../test/renderTab';
import { setUserRole, TestRouter } from '../../test/TestRouter';
import { GeneralTab } from '../GeneralTab/GeneralTab';
import { QueuesTab } from '../QueuesTab/QueuesTab';
import { RecentActions } from './RecentActions';

/** An audit entry from three minutes ago. */
function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return makeAuditEntry({ time: new Date(Date.now() - 3 * 60_000).toISOString(), ...overrides });
}

async function settle() {
  await act(async () => {});
}

async function renderRouted(ui: ReactElement) {
  const view = render(<TestRouter>{ui}</TestRouter>);
  await settle();
  return view;
}

describe('RecentActions', () => {
  let audit: FakeReply;
  let backend: FakeBackend;
  beforeEach(() => {
    captureToasts();
    setUserRole('Admin');
    audit = {
      status: 200,
      data: {
        entries: [
          entry(),
          entry({
            time: new Date(Date.now() - 60 * 60_000).toISOString(),
            action: 'queue.pause',
            target: 'bullmq:bull:reports',
            outcome: 'rejected',
            status: 403,
            user: 'bob',
            role: 'Viewer',
            detail: 'read_only',
          }),
        ],
      },
    };
    backend = new FakeBackend((call) =>
      call.url.endsWith('/api/audit')
        ? audit
        : call.method === 'POST'
          ? {
              status: 200,
              data: {
                action: 'pause',
                queue: { source: 'bullmq', prefix: 'bull', name: 'email' },
                touched: 0,
                paused: true,
              },
            }
          : { status: 200, data: makeStatus() }
    ).install();
  });

  const auditCalls = () => backend.callsTo('/api/audit');

  it('asks for the newest 20 and lists time, user, action, target and outcome, in the order given', async () => {
    await renderRouted(<RecentActions />);
    expect(auditCalls()).toEqual([expect.objectContaining({ params: { limit: 20 }, showErrorAlert: false })]);
    const rows = within(screen.getByTestId('recent-actions')).getAllByTestId('recent-action-row');
    expect(rows.map((r) => [r.dataset.action, r.dataset.target, r.dataset.outcome])).toEqual([
      ['job.retry', 'bullmq:bull:email:3', 'ok'],
      ['queue.pause', 'bullmq:bull:reports', 'rejected'],
    ]);
    expect(rows[0]).toHaveTextContent('3 minutes ago');
    expect(rows[0].querySelector('time')).toHaveAttribute('title');
    expect(rows[0]).toHaveTextContent('alice (Editor)');
    expect(rows[0]).toHaveTextContent('ok · 200');
    expect(rows[1]).toHaveTextContent('an hour ago');
    expect(rows[1]).toHaveTextContent('rejected · 403');
    expect(rows[1]).toHaveTextContent('read_only');
  });

  it('says so when there are none, or when the trail cannot be read', async () => {
    audit = { status: 200, data: { entries: [] } };
    const view = await renderRouted(<RecentActions />);
    expect(screen.getByTestId('recent-actions-empty')).toBeInTheDocument();
    view.unmount();
    audit = { status: 404, data: { error: { code: 'not_found', message: 'no route GET /api/audit' } } };
    await renderRouted(<RecentActions />);
    expect(screen.getByTestId('recent-actions-error')).toHaveTextContent('no route GET /api/audit');
  });

  it('is on the Queues tab and refetches after an action there', async () => {
    renderTab('queues', <QueuesTab />);
    await settle();
    expect(screen.getAllByTestId('recent-action-row')).toHaveLength(2);
    expect(auditCalls()).toHaveLength(1);
    audit = { status: 200, data: { entries: [entry({ action: 'queue.pause', target: 'bullmq:bull:email' })] } };
    const email = screen.getAllByTestId('queue-row').find((r) => r.dataset.queue === 'email')!;
    fireEvent.click(within(email).getByTestId('queue-action-pause'));
    await settle();
    await settle();
    expect(auditCalls()).toHaveLength(2);
    expect(screen.getAllByTestId('recent-action-row').map((r) => r.dataset.action)).toEqual(['queue.pause']);
  });

  it('is on the General tab', async () => {
    await renderRouted(<GeneralTab serviceUrl="http://jobscope:8787" />);
    expect(within(screen.getByTestId('recent-actions')).getAllByTestId('recent-action-row')).toHaveLength(2);
  });
});
