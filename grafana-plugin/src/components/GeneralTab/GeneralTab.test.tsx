import React from 'react';
import { act, render, screen } from '@testing-library/react';
import { FakeBackend, type FakeReply } from '../../test/fakeBackend';
import { makeStatus } from '../../test/fixtures';
import { TestRouter } from '../../test/TestRouter';
import { GeneralTab } from './GeneralTab';

async function renderGeneral(health: FakeReply, status: FakeReply) {
  new FakeBackend((call) => (call.url.endsWith('/api/health') ? health : status)).install();
  render(
    <TestRouter>
      <GeneralTab serviceUrl="http://jobscope:8787" />
    </TestRouter>
  );
  await act(async () => {});
}

describe('GeneralTab', () => {
  it('shows the service URL, reachability, Redis latency and versions, and links to the config page', async () => {
    await renderGeneral(
      { status: 200, data: { status: 'pass', serviceId: 'jobscope', version: '0.1.0', checks: {} } },
      { status: 200, data: makeStatus() }
    );
    expect(screen.getByText('http://jobscope:8787')).toBeInTheDocument();
    expect(screen.getByTestId('general-reachability')).toHaveTextContent('reachable, health pass');
    expect(screen.getByTestId('general-redis')).toHaveTextContent('latency 1.3 ms');
    expect(screen.getByText('7.2.4')).toBeInTheDocument();
    expect(screen.getByText('bullmq:5.66.0')).toBeInTheDocument();
    expect(screen.getByText('0.1.0')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /Plugin configuration/ })).toHaveAttribute(
      'href',
      '/plugins/jobscope-jobs-app'
    );
  });

  it('says when the service is unreachable', async () => {
    await renderGeneral({ networkError: true }, { networkError: true });
    expect(screen.getByTestId('general-reachability')).toHaveTextContent('service unreachable');
  });

  it('shows a failing health document and Redis down', async () => {
    await renderGeneral(
      { status: 503, data: { status: 'fail', serviceId: 'jobscope', checks: {} } },
      {
        status: 200,
        data: makeStatus({ stale: true, redis: { ok: false, latencyMs: null, error: 'ECONNREFUSED', version: null } }),
      }
    );
    expect(screen.getByTestId('general-reachability')).toHaveTextContent('health fail');
    expect(screen.getByTestId('general-redis')).toHaveTextContent('down: ECONNREFUSED');
  });
});
