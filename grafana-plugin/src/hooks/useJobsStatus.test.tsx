import { act } from '@testing-library/react';
import type { JobState } from '@jobscope/contract';
import { setStatusSnapshot } from '../api/statusQueries';
import { setVisibility, settle, tick } from '../test/clock';
import { makeJob, makeStatus } from '../test/fixtures';
import { jobsStatusHarness } from '../test/jobsStatusHarness';
import { JOBS_LIMIT, JOBS_POLL_INTERVAL_MS } from './useJobsStatus';

describe('useJobsStatus (TanStack Query poll)', () => {
  const hook = jobsStatusHarness();
  const { calls, mount } = hook;

  it('fetches at once, then every 2 s, with one interval', async () => {
    expect(JOBS_POLL_INTERVAL_MS).toBe(2000);
    const { result } = await mount();
    expect(calls()).toBe(1);
    expect(result.current.data?.jobs).toHaveLength(3);
    expect(hook.backend.calls[0].params).toEqual({ limit: JOBS_LIMIT });
    await tick(1999);
    expect(calls()).toBe(1);
    await tick(1);
    expect(calls()).toBe(2);
    await tick(4000);
    expect(calls()).toBe(4);
    expect(hook.intervals.live()).toBe(1);
    expect(hook.intervals.maxLive()).toBe(1);
  });

  it('keeps a 2 s period when the wall clock reads a little behind the timer', async () => {
    // Browsers round Date.now() differently from timer scheduling: a tick 2 s later may read 1999 ms.
    const realNow = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 1);
    try {
      await mount();
      expect(calls()).toBe(1);
      await tick(2000);
      expect(calls()).toBe(2);
      await tick(2000);
      expect(calls()).toBe(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('neither fetches nor keeps a timer while disabled', async () => {
    await mount({ enabled: false });
    await tick(10_000);
    expect(calls()).toBe(0);
    expect(hook.intervals.live()).toBe(0);
  });

  it('never overlaps a slow request: ticks join it; the next poll is a period after the reply', async () => {
    hook.reply = 'hang';
    const { result } = await mount();
    await tick(7000); // three and a half periods with the first request still open
    expect(calls()).toBe(1);
    expect(result.current.inFlight).toBe(true);
    hook.reply = { status: 200, data: makeStatus() };
    hook.backend.release({ status: 200, data: makeStatus() });
    await settle();
    expect(result.current.inFlight).toBe(false);
    await tick(2000);
    expect(calls()).toBe(2);
  });

  it('refresh fetches at once, joins a request in flight instead of overlapping it, and never adds a timer', async () => {
    const { result } = await mount();
    await tick(500);
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(2);
    hook.reply = 'hang';
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(3);
    act(() => result.current.refresh()); // in flight: joined, not a second request
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(3);
    expect(hook.backend.hanging).toBe(1);
    hook.backend.release({ status: 200, data: makeStatus() });
    await settle();
    expect(hook.intervals.live()).toBe(1);
    expect(hook.intervals.maxLive()).toBe(1);
  });

  it('pause stops automatic fetches and clears the interval, the clock keeps going; resume fetches at once', async () => {
    const { result, rerender } = await mount();
    rerender({ paused: true });
    await settle();
    expect(hook.intervals.live()).toBe(0);
    const before = result.current.now;
    await tick(6000);
    expect(calls()).toBe(1);
    expect(result.current.now - before).toBeGreaterThanOrEqual(6000);
    act(() => result.current.refresh()); // manual refresh still works while paused
    await settle();
    expect(calls()).toBe(2);
    rerender({ paused: false });
    await settle();
    expect(calls()).toBe(3);
    expect(hook.intervals.live()).toBe(1);
    await tick(2000);
    expect(calls()).toBe(4);
  });

  it('resume while a request is in flight joins it and polling goes on after it', async () => {
    hook.reply = 'hang';
    const { rerender } = await mount();
    rerender({ paused: true });
    rerender({ paused: false });
    await settle();
    expect(calls()).toBe(1);
    hook.reply = { status: 200, data: makeStatus() };
    hook.backend.release({ status: 200, data: makeStatus() });
    await settle();
    await tick(2000);
    expect(calls()).toBe(2);
  });

  it('a hidden document clears the interval and stops fetching; visible again fetches at once', async () => {
    await mount();
    setVisibility('hidden');
    await settle();
    expect(hook.intervals.live()).toBe(0);
    await tick(10_000);
    expect(calls()).toBe(1);
    setVisibility('visible');
    await settle();
    expect(calls()).toBe(2);
    expect(hook.intervals.live()).toBe(1);
    await tick(2000);
    expect(calls()).toBe(3);
  });

  it('showing the document again while paused does not fetch', async () => {
    const { rerender } = await mount();
    rerender({ paused: true });
    setVisibility('hidden');
    await tick(5000);
    setVisibility('visible');
    await settle();
    expect(calls()).toBe(1);
  });

  it('unmount clears the interval and the clock, and nothing fetches afterwards', async () => {
    const { unmount } = await mount();
    unmount();
    expect(hook.intervals.live()).toBe(0);
    await tick(10_000);
    expect(calls()).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not retry a failure, keeps the last data with the error, and polls on', async () => {
    const { result } = await mount();
    hook.reply = { networkError: true };
    await tick(2000);
    expect(calls()).toBe(2);
    expect(result.current.error?.kind).toBe('unreachable');
    expect(result.current.data?.jobs).toHaveLength(3);
    await tick(4000);
    expect(calls()).toBe(4); // one request per tick, no retries in between
    hook.reply = { status: 200, data: makeStatus() };
    await tick(2000);
    expect(result.current.error).toBeNull();
  });

  it("keys by filter: a new filter fetches at once and never shows the other filter's data", async () => {
    const { result, rerender } = await mount({ queue: 'email' });
    expect(result.current.data).not.toBeNull();
    hook.reply = 'hang';
    rerender({ queue: 'reports', state: 'FAILURE' as JobState });
    await settle();
    expect(calls()).toBe(2);
    expect(hook.backend.calls[1].params).toEqual({ limit: JOBS_LIMIT, queue: 'reports', state: 'FAILURE' });
    expect(result.current.data).toBeNull();
    expect(result.current.updatedAt).toBeNull();
    expect(result.current.loading).toBe(true);
    expect(hook.intervals.live()).toBe(1);
  });

  it('setStatusSnapshot writes into the same entry the poll reads (for a push stream)', async () => {
    const { result } = await mount({ queue: 'email' });
    const pushed = makeStatus({ jobs: [makeJob({ id: 'pushed' })] });
    await act(async () => setStatusSnapshot(hook.client, { queue: 'email', limit: JOBS_LIMIT }, pushed));
    await settle();
    expect(result.current.data?.jobs.map((j) => j.id)).toEqual(['pushed']);
    expect(result.current.updatedAt).toBe(Date.now());
    expect(calls()).toBe(1);
  });
});
