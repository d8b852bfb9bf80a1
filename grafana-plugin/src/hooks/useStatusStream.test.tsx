import { act } from '@testing-library/react';
import { statusStreamUrl } from '../api/client';
import { LATE_REPLY_WINDOW_MS } from '../api/statusQueries';
import { settle, setVisibility, tick } from '../test/clock';
import { FakeEventSource } from '../test/eventSource';
import { makeJob, makeStatus } from '../test/fixtures';
import { jobsStatusHarness } from '../test/jobsStatusHarness';
import { JOBS_LIMIT } from './useJobsStatus';
import { STREAM_FIRST_EVENT_TIMEOUT_MS, STREAM_MAX_ERRORS, STREAM_RETRY_MS } from './useStatusStream';

async function push(source: FakeEventSource, type: string, data: unknown) {
  await act(async () => source.emit(type, data));
  await settle();
}

async function fail(source: FakeEventSource, closed = false) {
  await act(async () => source.fail({ closed }));
  await settle();
}

describe('useStatusStream with useJobsStatus (live mode)', () => {
  const hook = jobsStatusHarness({ eventSource: true });
  const { calls, mount } = hook;

  it('opens the stream through the plugin proxy with the filters (never a cursor)', async () => {
    await mount({ queue: 'email,reports', state: 'FAILURE', name: 'send', from: '1', to: '2' });
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(FakeEventSource.latest().url).toBe(
      '/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/stream?limit=100&queue=email%2Creports&state=FAILURE&name=send&from=1&to=2'
    );
    expect(statusStreamUrl({ cursor: 'c', limit: 5 })).toBe(
      '/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/stream?limit=5'
    );
  });

  it('writes each snapshot into the cache entry of the poll and stops polling while live', async () => {
    const { result } = await mount({ queue: 'email' });
    expect(calls()).toBe(1); // the first paint does not wait for the stream
    expect(result.current.mode).toBe('polling');
    const source = FakeEventSource.latest();
    await push(source, 'snapshot', makeStatus({ jobs: [makeJob({ id: 'pushed' })] }));
    expect(result.current.mode).toBe('live');
    expect(result.current.data?.jobs.map((j) => j.id)).toEqual(['pushed']);
    // Every consumer of the entry sees it: it is the poll's own entry.
    const cached = hook.client.getQueryData<{ jobs: Array<{ id: string }> }>([
      'jobscope',
      'status',
      { queue: 'email', state: null, name: null, from: null, to: null, cursor: null, limit: JOBS_LIMIT },
    ]);
    expect(cached?.jobs.map((j) => j.id)).toEqual(['pushed']);
    expect(hook.intervals.live()).toBe(0);
    await tick(20_000);
    expect(calls()).toBe(1);
    await push(source, 'snapshot', makeStatus({ jobs: [makeJob({ id: 'again' })] }));
    expect(result.current.data?.jobs.map((j) => j.id)).toEqual(['again']);
    expect(result.current.updatedAt).toBe(Date.now());
    expect(calls()).toBe(1);
  });

  it('a status reply older than the pushed snapshot (slow, or a cached one) does not replace it', async () => {
    // The stream pushes only changes: an older reply written over a newer push would stay on the page until the next
    // change. First paint: the poll's reply is still on its way when the stream delivers a newer snapshot.
    hook.reply = 'hang';
    const { result } = await mount();
    const older = makeStatus({ generatedAtMs: 1000, jobs: [makeJob({ id: 'old', state: 'RUNNING' })] });
    const newer = makeStatus({ generatedAtMs: 2000, jobs: [makeJob({ id: 'old', state: 'SUCCESS' })] });
    await push(FakeEventSource.latest(), 'snapshot', newer);
    await act(async () => hook.backend.release({ status: 200, data: older }));
    await settle();
    expect(result.current.data?.jobs.map((j) => j.state)).toEqual(['SUCCESS']);
    // A manual Refresh answered from the service's cache (older than the push) keeps the push too…
    hook.reply = { status: 200, data: older };
    await act(async () => result.current.refresh());
    await settle();
    expect(calls()).toBe(2);
    expect(result.current.data?.generatedAtMs).toBe(2000);
    // …while a newer reply, and a stale one (Redis down: the last good snapshot, older by nature), replace it.
    hook.reply = { status: 200, data: makeStatus({ generatedAtMs: 3000, jobs: [] }) };
    await act(async () => result.current.refresh());
    await settle();
    expect(result.current.data?.generatedAtMs).toBe(3000);
    hook.reply = { status: 200, data: { ...older, stale: true } };
    await act(async () => result.current.refresh());
    await settle();
    expect(result.current.data?.stale).toBe(true);
    // Older by more than a late reply can be: another replica's clock, taken as is (the page must not freeze).
    hook.reply = { status: 200, data: makeStatus({ generatedAtMs: 20_000 }) };
    await act(async () => result.current.refresh());
    await settle();
    hook.reply = { status: 200, data: makeStatus({ generatedAtMs: 20_000 - LATE_REPLY_WINDOW_MS - 1 }) };
    await act(async () => result.current.refresh());
    await settle();
    expect(result.current.data?.generatedAtMs).toBe(20_000 - LATE_REPLY_WINDOW_MS - 1);
  });

  it('falls back to polling when no event arrives within 5 s, and tries the stream again every 30 s', async () => {
    expect(STREAM_FIRST_EVENT_TIMEOUT_MS).toBe(5000);
    expect(STREAM_RETRY_MS).toBe(30_000);
    const { result } = await mount();
    const first = FakeEventSource.latest();
    await tick(4999);
    expect(first.closed).toBe(false);
    await tick(1);
    expect(first.closed).toBe(true);
    expect(result.current.mode).toBe('polling');
    expect(hook.intervals.live()).toBe(1);
    const before = calls();
    await tick(2000);
    expect(calls()).toBe(before + 1);
    // Retried 30 s after the fallback; it stays silent too: closed again 5 s later, and retried 30 s after that.
    await tick(STREAM_RETRY_MS - 2001);
    expect(FakeEventSource.instances).toHaveLength(1);
    await tick(1);
    expect(FakeEventSource.instances).toHaveLength(2);
    await tick(5000);
    expect(FakeEventSource.latest().closed).toBe(true);
    await tick(STREAM_RETRY_MS);
    expect(FakeEventSource.instances).toHaveLength(3);
    // This one delivers: live, polling off.
    await push(FakeEventSource.latest(), 'snapshot', makeStatus());
    expect(result.current.mode).toBe('live');
    expect(hook.intervals.live()).toBe(0);
    const live = calls();
    await tick(10_000);
    expect(calls()).toBe(live);
    expect(FakeEventSource.open()).toHaveLength(1);
  });

  it('falls back after two errors in a row; one error with a reconnect that delivers stays live', async () => {
    expect(STREAM_MAX_ERRORS).toBe(2);
    const { result } = await mount();
    const source = FakeEventSource.latest();
    await push(source, 'snapshot', makeStatus());
    await fail(source); // the browser reconnects by itself
    expect(result.current.mode).toBe('live');
    expect(source.closed).toBe(false);
    await push(source, 'snapshot', makeStatus()); // the reconnect delivered: the count starts again
    await fail(source);
    expect(result.current.mode).toBe('live');
    await fail(source); // a second error in a row
    expect(source.closed).toBe(true);
    expect(result.current.mode).toBe('polling');
    expect(hook.intervals.live()).toBe(1);
    await tick(STREAM_RETRY_MS);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.open()).toHaveLength(1);
  });

  it('a reconnect that delivers nothing within 5 s falls back too', async () => {
    const { result } = await mount();
    const source = FakeEventSource.latest();
    await push(source, 'snapshot', makeStatus());
    await fail(source);
    await tick(5000);
    expect(source.closed).toBe(true);
    expect(result.current.mode).toBe('polling');
  });

  it('a refused stream (503 too_many_streams: the browser closes it) falls back at once', async () => {
    const { result } = await mount();
    const source = FakeEventSource.latest();
    await fail(source, true);
    expect(source.closeCalls).toBe(1);
    expect(result.current.mode).toBe('polling');
    expect(hook.intervals.live()).toBe(1);
  });

  it('a payload that is not a status reply does not reach the cache and counts as an error', async () => {
    const { result } = await mount();
    const source = FakeEventSource.latest();
    await push(source, 'snapshot', { nope: true });
    await push(source, 'snapshot', 'not json');
    expect(result.current.data?.jobs).toHaveLength(3);
    expect(source.closed).toBe(true);
    expect(result.current.mode).toBe('polling');
  });

  it('a stale event marks the cached snapshot stale (the Redis banner), keeping its time', async () => {
    const { result } = await mount();
    const source = FakeEventSource.latest();
    await push(source, 'snapshot', makeStatus());
    const at = result.current.updatedAt;
    await tick(3000);
    await push(source, 'stale', { error: 'connect ECONNREFUSED' });
    expect(result.current.data?.stale).toBe(true);
    expect(result.current.data?.redis).toMatchObject({ ok: false, error: 'connect ECONNREFUSED' });
    expect(result.current.updatedAt).toBe(at);
    expect(result.current.mode).toBe('live');
    await push(source, 'snapshot', makeStatus());
    expect(result.current.data?.stale).toBe(false);
  });

  it('a stale event before any snapshot is a Redis error', async () => {
    hook.reply = 'hang';
    const { result } = await mount();
    await push(FakeEventSource.latest(), 'stale', { error: 'Redis is down' });
    expect(result.current.data).toBeNull();
    expect(result.current.error).toMatchObject({ kind: 'redis', message: 'Redis is down' });
  });

  it('a new filter closes the stream and opens one on the new URL', async () => {
    const { rerender } = await mount({ queue: 'email' });
    const first = FakeEventSource.latest();
    await push(first, 'snapshot', makeStatus());
    rerender({ queue: 'reports', state: 'FAILURE' });
    await settle();
    expect(first.closed).toBe(true);
    expect(FakeEventSource.open().map((s) => s.url)).toEqual([
      '/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/stream?limit=100&queue=reports&state=FAILURE',
    ]);
  });

  it('the new view is not live until its own stream delivers: it polls meanwhile', async () => {
    const { result, rerender } = await mount({ queue: 'email' });
    await push(FakeEventSource.latest(), 'snapshot', makeStatus());
    expect(result.current.mode).toBe('live');
    rerender({ queue: 'reports' });
    await settle();
    expect(result.current.mode).toBe('polling');
    expect(hook.intervals.live()).toBe(1);
    await push(FakeEventSource.latest(), 'snapshot', makeStatus());
    expect(result.current.mode).toBe('live');
  });

  it('pause closes the stream (no timer left); resume fetches at once and reopens it', async () => {
    const { result, rerender } = await mount();
    await push(FakeEventSource.latest(), 'snapshot', makeStatus());
    rerender({ paused: true });
    await settle();
    expect(FakeEventSource.open()).toHaveLength(0);
    expect(result.current.mode).toBe('paused');
    expect(hook.intervals.live()).toBe(0);
    await tick(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    const before = calls();
    rerender({ paused: false });
    await settle();
    expect(calls()).toBe(before + 1);
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('a hidden document closes the stream, also during a fallback (its retry timer goes too); visible reopens it', async () => {
    await mount();
    await tick(5000); // fallback: a retry is pending
    setVisibility('hidden');
    await settle();
    expect(FakeEventSource.open()).toHaveLength(0);
    await tick(120_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    setVisibility('visible');
    await settle();
    expect(FakeEventSource.open()).toHaveLength(1);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('unmount closes the stream and leaves no timer', async () => {
    const { unmount } = await mount();
    await push(FakeEventSource.latest(), 'snapshot', makeStatus());
    unmount();
    expect(FakeEventSource.latest().closeCalls).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
    // Also while a fallback's retry is pending.
    const second = await mount();
    await tick(5000);
    second.unmount();
    expect(FakeEventSource.open()).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    await tick(60_000);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it('without EventSource (old browsers, jsdom) it simply polls', async () => {
    hook.eventSource.restore();
    const { result } = await mount();
    expect(result.current.mode).toBe('polling');
    await tick(2000);
    expect(calls()).toBe(2);
  });
});
