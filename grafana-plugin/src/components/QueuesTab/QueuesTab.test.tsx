import React from 'react';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { FakeBackend } from '../../test/fakeBackend';
import { makeQueue, makeStatus } from '../../test/fixtures';
import { currentSearch, TestRouter } from '../../test/TestRouter';
import { QueuesTab } from './QueuesTab';

describe('QueuesTab', () => {
  let backend: FakeBackend;
  beforeEach(async () => {
    backend = new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
    act(() => locationService.push('/a/jobscope-jobs-app/settings?tab=queues'));
    render(
      <TestRouter>
        <QueuesTab />
      </TestRouter>
    );
    await act(async () => {});
  });

  it('asks the service for queues once, with the smallest job list', () => {
    const status = backend.callsTo('/api/settings/jobs/status');
    expect(status).toHaveLength(1);
    expect(status[0].params).toEqual({ limit: 1 });
  });

  it('lists queues with counts by state, paused flag and workers', () => {
    const rows = screen.getAllByTestId('queue-row');
    expect(rows.map((r) => r.dataset.queue)).toEqual(['email', 'reports']);
    const [email, reports] = rows;
    expect(within(email).getByRole('link', { name: 'email SUCCESS jobs' })).toHaveTextContent('3');
    expect(within(email).getByText('running')).toBeInTheDocument();
    expect(within(email).getByText('2')).toBeInTheDocument();
    expect(within(reports).getByText('paused')).toBeInTheDocument();
    expect(within(reports).getByText('no workers')).toBeInTheDocument();
  });

  it('marks a queue whose Redis node did not answer as stale, saying why', async () => {
    backend.handler = () => ({
      status: 200,
      data: makeStatus({ queues: [makeQueue({ stale: true, staleReason: 'Redis node 10.0.0.3:6379 did not answer: timed out' }), makeQueue({ name: 'reports' })] }),
    });
    fireEvent.click(screen.getByRole('button', { name: /Refresh/ }));
    await act(async () => {});
    const [email, reports] = screen.getAllByTestId('queue-row');
    expect(within(email).getByText('stale')).toBeInTheDocument();
    expect(within(reports).queryByText('stale')).toBeNull();
  });

  it('each queue links to the Jobs tab filtered by it', () => {
    const email = screen.getAllByTestId('queue-row')[0];
    const link = within(email).getByRole('link', { name: 'email' });
    expect(link).toHaveAttribute('href', '/a/jobscope-jobs-app/settings?tab=jobs&queue=email');
    fireEvent.click(link);
    expect(Object.fromEntries(currentSearch())).toEqual({ tab: 'jobs', queue: 'email' });
    expect(within(email).getByRole('link', { name: 'email FAILURE jobs' })).toHaveAttribute(
      'href',
      '/a/jobscope-jobs-app/settings?tab=jobs&queue=email&state=FAILURE'
    );
  });

  it('lists two queues of one name under two prefixes as two rows, each with its prefix', async () => {
    const errors = jest.spyOn(console, 'error');
    backend.handler = () => ({
      status: 200,
      data: makeStatus({ queues: [makeQueue({ prefix: 'other' }), makeQueue(), makeQueue({ name: 'reports' })] }),
    });
    fireEvent.click(screen.getByRole('button', { name: /Refresh/ }));
    await act(async () => {});
    const rows = screen.getAllByTestId('queue-row');
    expect(rows.map((r) => [r.dataset.queue, r.dataset.prefix, r.dataset.sharedName ?? null])).toEqual([
      ['email', 'bull', 'true'],
      ['email', 'other', 'true'],
      ['reports', 'bull', null],
    ]);
    expect(rows[1]).toHaveTextContent('prefix other (another queue has this name)');
    expect(rows[2]).not.toHaveTextContent('another queue has this name');
    expect(errors.mock.calls.flat().join(' ')).not.toMatch(/same key/);
    errors.mockRestore();
  });
});
