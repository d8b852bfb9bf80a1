import { FakeBackend } from '../test/fakeBackend';
import { makeAuditEntry, makeDetail, makeStatus } from '../test/fixtures';
import {
  enqueueJob,
  fetchAudit,
  fetchHealth,
  fetchJobDetail,
  fetchJobLogs,
  fetchStatus,
  isJobNotFound,
  runJobAction,
  runQueueAction,
  searchJobs,
  ServiceError,
} from './client';

const STATUS_URL = '/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/status';

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    return e as ServiceError;
  }
  throw new Error('expected a failure');
}

describe('api client', () => {
  it('reads the status through the plugin proxy, with filters as query params and no error toast', async () => {
    const backend = new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
    const reply = await fetchStatus({ queue: 'email', state: 'FAILURE', limit: 50 });
    expect(reply.jobs).toHaveLength(3);
    expect(backend.calls).toEqual([
      {
        url: STATUS_URL,
        method: 'GET',
        params: { limit: 50, queue: 'email', state: 'FAILURE' },
        data: undefined,
        showErrorAlert: false,
      },
    ]);
  });

  it('leaves out unset filters', async () => {
    const backend = new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
    await fetchStatus({});
    expect(backend.calls[0].params).toEqual({});
  });

  it.each([
    [{ networkError: true } as const, 'unreachable', null],
    [{ status: 502, data: { message: 'Bad Gateway' } }, 'unreachable', 502],
    [{ status: 504, data: {} }, 'unreachable', 504],
    [{ status: 503, data: { error: { code: 'redis_unavailable', message: 'Redis is down' } } }, 'redis', 503],
    [{ status: 401, data: { error: { code: 'unauthorized', message: 'bad token' } } }, 'rejected', 401],
  ])('classifies %j as %s', async (reply, kind, status) => {
    new FakeBackend(() => reply).install();
    const e = await failure(fetchStatus());
    expect(e.kind).toBe(kind);
    expect(e.status === -1 ? null : e.status).toBe(status);
  });

  it('rejects a reply that does not match the contract, naming the field', async () => {
    new FakeBackend(() => ({ status: 200, data: { ...makeStatus(), jobs: 'nope' } })).install();
    const e = await failure(fetchStatus());
    expect(e.message).toContain('jobs');
  });

  it('posts a job and surfaces the ErrorBody message and issues on failure', async () => {
    const backend = new FakeBackend((call) =>
      call.method === 'POST' && (call.data as { queue: string }).queue === 'email'
        ? { status: 201, data: { source: 'bullmq', prefix: 'bull', queue: 'email', id: '42', state: 'PENDING' } }
        : { status: 404, data: { error: { code: 'not_found', message: 'unknown queue "nope"' } } }
    ).install();
    await expect(enqueueJob({ queue: 'email', name: 'send' })).resolves.toEqual({
      source: 'bullmq',
      prefix: 'bull',
      id: '42',
      queue: 'email',
      state: 'PENDING',
    });
    expect(backend.calls[0]).toMatchObject({ url: '/api/plugin-proxy/jobscope-jobs-app/api/jobs', method: 'POST' });
    const e = await failure(enqueueJob({ queue: 'nope', name: 'send' }));
    expect(e).toMatchObject({ kind: 'rejected', status: 404, message: 'unknown queue "nope"' });
  });

  it('health goes through the one call path: same proxy URL, no toast, errors classified', async () => {
    const backend = new FakeBackend(() => ({ status: 401, data: { error: { code: 'unauthorized', message: 'no' } } }));
    backend.install();
    const e = await failure(fetchHealth());
    expect(e).toMatchObject({ kind: 'rejected', status: 401, message: 'no' });
    expect(backend.calls[0]).toMatchObject({
      url: '/api/plugin-proxy/jobscope-jobs-app/api/health',
      showErrorAlert: false,
    });
    new FakeBackend(() => ({ status: 503, data: { error: { code: 'redis_unavailable', message: 'down' } } })).install();
    expect(await failure(fetchHealth())).toMatchObject({ kind: 'redis', status: 503 });
    new FakeBackend(() => ({ status: 200, data: { nope: true } })).install();
    expect(await failure(fetchHealth())).toMatchObject({ kind: 'rejected', status: 200 });
  });

  it('treats a 503 health document as a result (fail), not as an error', async () => {
    new FakeBackend(() => ({ status: 503, data: { status: 'fail', serviceId: 'jobscope', checks: {} } })).install();
    await expect(fetchHealth()).resolves.toEqual({
      httpStatus: 503,
      health: { status: 'fail', serviceId: 'jobscope', checks: {} },
    });
  });

  it('job and queue actions post to the contract paths with their bodies, and check the replies', async () => {
    const job = { source: 'bullmq', prefix: 'bull', queue: 'email', id: '3' };
    const queue = { source: 'bullmq', prefix: 'bull', name: 'email' };
    const backend = new FakeBackend((call) =>
      call.url.includes('/api/jobs/')
        ? { status: 202, data: { action: 'cancel', job: null, delivered: 2 } }
        : { status: 200, data: { action: 'clean', queue, touched: 4, paused: false } }
    ).install();
    await expect(runJobAction(job, 'cancel', { reason: '  stuck ' })).resolves.toEqual({
      action: 'cancel',
      job: null,
      delivered: 2,
    });
    await runJobAction(job, 'retry', { reason: 'ignored' });
    await expect(
      runQueueAction(queue, { action: 'clean', state: 'SUCCESS', olderThanMs: 0, limit: 10 })
    ).resolves.toMatchObject({ touched: 4 });
    await runQueueAction(queue, { action: 'resume' });
    expect(
      backend.calls.map((c) => [c.method, c.url.replace('/api/plugin-proxy/jobscope-jobs-app', ''), c.data])
    ).toEqual([
      ['POST', '/api/jobs/bullmq:bull:email:3/cancel', { reason: 'stuck' }],
      ['POST', '/api/jobs/bullmq:bull:email:3/retry', undefined],
      ['POST', '/api/queues/bullmq:bull:email/clean', { state: 'SUCCESS', olderThanMs: 0, limit: 10 }],
      ['POST', '/api/queues/bullmq:bull:email/resume', undefined],
    ]);
    new FakeBackend(() => ({ status: 200, data: { action: 'nope', job: null } })).install();
    expect((await failure(runJobAction(job, 'retry'))).message).toContain('action');
  });

  it('reads the audit trail and names a malformed entry', async () => {
    const ok = makeAuditEntry();
    const backend = new FakeBackend(() => ({ status: 200, data: { entries: [ok] } })).install();
    await expect(fetchAudit(20)).resolves.toEqual([ok]);
    expect(backend.calls[0]).toMatchObject({
      url: '/api/plugin-proxy/jobscope-jobs-app/api/audit',
      params: { limit: 20 },
    });
    new FakeBackend(() => ({ status: 200, data: { entries: [ok, { ...ok, outcome: 'maybe' }] } })).install();
    expect((await failure(fetchAudit(20))).message).toMatch(/outcome.*entry 1/);
    new FakeBackend(() => ({ status: 200, data: [] })).install();
    expect((await failure(fetchAudit(20))).message).toContain('entries');
  });

  it('sends every status filter: queue list, state, name, from, to, cursor', async () => {
    const backend = new FakeBackend(() => ({ status: 200, data: makeStatus() })).install();
    await fetchStatus({ queue: 'a,b', state: 'FAILURE', name: 'n', from: '1', to: '2', cursor: 'c', limit: 5 });
    expect(backend.calls[0].params).toEqual({
      limit: 5,
      queue: 'a,b',
      state: 'FAILURE',
      name: 'n',
      from: '1',
      to: '2',
      cursor: 'c',
    });
  });

  it('reads a job detail, its logs and a search at the contract paths; a 404 is "not found"', async () => {
    const ref = { source: 'bullmq', prefix: 'bull', queue: 'e:mail', id: '3' };
    const backend = new FakeBackend((call) =>
      call.url.endsWith('/logs')
        ? { status: 200, data: { lines: ['a'], offset: 10, total: 11 } }
        : call.url.endsWith('/search')
          ? { status: 200, data: { q: 'x', jobs: [], searched: { jobs: 0, window: 1000, complete: true } } }
          : { status: 200, data: makeDetail() }
    ).install();
    await expect(fetchJobDetail(ref)).resolves.toMatchObject({ failedReason: 'boom: the whole reason' });
    await expect(fetchJobLogs(ref, 10, 100)).resolves.toEqual({ lines: ['a'], offset: 10, total: 11 });
    await searchJobs({ q: 'x', queue: 'a,b', limit: 100, window: 1000 });
    expect(backend.calls.map((c) => [c.url.replace('/api/plugin-proxy/jobscope-jobs-app', ''), c.params])).toEqual([
      ['/api/jobs/bullmq:bull:e%253Amail:3', undefined],
      ['/api/jobs/bullmq:bull:e%253Amail:3/logs', { offset: 10, limit: 100 }],
      ['/api/jobs/search', { q: 'x', queue: 'a,b', limit: 100, window: 1000 }],
    ]);
    new FakeBackend(() => ({ status: 404, data: { error: { code: 'job_not_found', message: 'gone' } } })).install();
    const e = await failure(fetchJobDetail(ref));
    expect(isJobNotFound(e)).toBe(true);
    new FakeBackend(() => ({ status: 404, data: { error: { code: 'unknown_queue', message: 'no queue' } } })).install();
    expect(isJobNotFound(await failure(fetchJobDetail(ref)))).toBe(false);
  });
});
