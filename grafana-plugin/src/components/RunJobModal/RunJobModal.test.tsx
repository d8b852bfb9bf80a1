import { fireEvent, screen } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { settle } from '../../test/clock';
import { FakeBackend, type FakeCall, type FakeReply } from '../../test/fakeBackend';
import { makeStatus } from '../../test/fixtures';
import { renderJobsTab } from '../../test/renderTab';
import { currentSearch, setUserRole } from '../../test/TestRouter';

describe('Run job modal', () => {
  let enqueueReply: FakeReply;
  let backend: FakeBackend;

  afterEach(() => {
    jest.useRealTimers();
  });
  beforeEach(async () => {
    // Fake timers: the Jobs tab's 2 s poll must not fire between steps (outside act) on a slow machine.
    jest.useFakeTimers();
    setUserRole('Editor');
    enqueueReply = {
      status: 201,
      data: { source: 'bullmq', prefix: 'bull', queue: 'email', id: '42', state: 'PENDING' },
    };
    backend = new FakeBackend((call: FakeCall) =>
      call.method === 'POST' ? enqueueReply : { status: 200, data: makeStatus() }
    ).install();
    await renderJobsTab('&state=FAILURE');
    fireEvent.click(screen.getByRole('button', { name: /Run job/ }));
  });

  const posts = () => backend.calls.filter((c) => c.method === 'POST');
  const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

  it('has the labelled fields, with the first known queue chosen', () => {
    for (const label of ['Queue', 'Job name', 'Data (JSON)', 'Delay (ms)', 'Priority']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Queue')).toHaveValue('email');
  });

  it('validates JSON and numbers before sending anything', async () => {
    type('Job name', 'send');
    type('Data (JSON)', '{not json');
    type('Delay (ms)', '-5');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    expect(screen.getByText(/Not valid JSON/)).toBeInTheDocument();
    expect(posts()).toHaveLength(0);
  });

  it('enqueues, shows the new id, and "Show Jobs" closes and navigates to the job', async () => {
    type('Job name', 'send-welcome');
    type('Data (JSON)', '{"to":"a@example.com"}');
    type('Delay (ms)', '1500');
    type('Priority', '3');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    expect(posts()).toHaveLength(1);
    expect(posts()[0]).toMatchObject({
      url: '/api/plugin-proxy/jobscope-jobs-app/api/jobs',
      data: { queue: 'email', name: 'send-welcome', data: { to: 'a@example.com' }, opts: { delay: 1500, priority: 3 } },
      showErrorAlert: false,
    });
    expect(screen.getByTestId('run-job-result')).toHaveTextContent('42');
    expect(screen.getByTestId('run-job-result')).toHaveAttribute('data-job-key', 'bullmq:bull:email:42');

    fireEvent.click(screen.getByRole('button', { name: 'Show Jobs' }));
    await settle();
    expect(screen.queryByTestId('run-job-result')).not.toBeInTheDocument();
    const search = currentSearch();
    expect(locationService.getLocation().pathname).toBe('/a/jobscope-jobs-app/settings');
    expect(Object.fromEntries(search)).toEqual({ tab: 'jobs', queue: 'email', job: 'bullmq:bull:email:42' });
    // the list refetched for the new filter and highlights the job when it is there
    const last = backend.callsTo('/api/settings/jobs/status').at(-1);
    expect(last?.params).toEqual({ limit: 100, queue: 'email' });
  });

  it('shows the service error message in the modal', async () => {
    enqueueReply = {
      status: 400,
      data: {
        error: {
          code: 'invalid_body',
          message: 'Invalid job',
          issues: [{ path: 'name', message: 'job name too long' }],
        },
      },
    };
    type('Job name', 'x');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    const error = screen.getByTestId('run-job-error');
    expect(error).toHaveTextContent('Invalid job');
    expect(error).toHaveTextContent('name: job name too long');
    expect(screen.getByRole('button', { name: 'Run' })).toBeInTheDocument(); // modal still open for a retry
  });

  it('an unknown queue (404) is reported, not swallowed', async () => {
    enqueueReply = { status: 404, data: { error: { code: 'not_found', message: 'queue "email" does not exist' } } };
    type('Job name', 'x');
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    await settle();
    expect(screen.getByTestId('run-job-error')).toHaveTextContent('queue "email" does not exist');
  });
});
