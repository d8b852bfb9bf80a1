import React, { type ReactNode } from 'react';
import { act, renderHook } from '@testing-library/react';
import type { JobState } from '@jobscope/contract';
import { QueryProvider } from '../api/QueryProvider';
import { setStatusSnapshot } from '../api/statusQueries';
import { FakeBackend, type FakeReply } from '../test/fakeBackend';
import { makeJob, makeStatus } from '../test/fixtures';
import { trackIntervals } from '../test/intervals';
import { createTestQueryClient } from '../test/TestRouter';
import { JOBS_LIMIT, JOBS_POLL_INTERVAL_MS, useJobsStatus, type JobsStatusOptions } from './useJobsStatus';

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function settle() {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(0);
  });
}

async function advance(ms: number) {
  await act(async () => {
    // Async variant: promises settle between timers, as they do in a browser.
    await jest.advanceTimersByTimeAsync(ms);
  });
}

type Props = Partial<JobsStatusOptions>;

describe('useJobsStatus (TanStack Query poll)', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let reply: FakeReply;
  let backend: FakeBackend;
  let client: ReturnType<typeof createTestQueryClient>;

  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setVisibility('visible');
    reply = { status: 200, data: makeStatus() };
    backend = new FakeBackend(() => reply).install();
    client = createTestQueryClient();
  });
  afterEach(() => {
    setVisibility('visible');
    intervals.restore();
    jest.useRealTimers();
  });

  const calls = () => backend.callsTo('/api/settings/jobs/status').length;

  async function mount(initial: Props = {}) {
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryProvider client={client}>{children}</QueryProvider>
    );
    const view = renderHook((p: Props) => useJobsStatus({ enabled: true, paused: false, ...p }), {
      wrapper,
      initialProps: initial,
    });
    await settle();
    return view;
  }

  it('fetches at once, then every 2 s, with one interval', async () => {
    expect(JOBS_POLL_INTERVAL_MS).toBe(2000);
    const { result } = await mount();
    expect(calls()).toBe(1);
    expect(result.current.data?.jobs).toHaveLength(3);
    expect(backend.calls[0].params).toEqual({ limit: JOBS_LIMIT });
    await advance(1999);
    expect(calls()).toBe(1);
    await advance(1);
    expect(calls()).toBe(2);
    await advance(4000);
    expect(calls()).toBe(4);
    expect(intervals.live()).toBe(1);
    expect(intervals.maxLive()).toBe(1);
  });

  it('keeps a 2 s period when the wall clock reads a little behind the timer', async () => {
    // Browsers round Date.now() differently from timer scheduling: a tick 2 s later may read 1999 ms.
    const realNow = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 1);
    try {
      await mount();
      expect(calls()).toBe(1);
      await advance(2000);
      expect(calls()).toBe(2);
      await advance(2000);
      expect(calls()).toBe(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('neither fetches nor keeps a timer while disabled', async () => {
    await mount({ enabled: false });
    await advance(10_000);
    expect(calls()).toBe(0);
    expect(intervals.live()).toBe(0);
  });

  it('never overlaps a slow request: ticks join it; the next poll is a period after the reply', async () => {
    reply = 'hang';
    const { result } = await mount();
    await advance(7000); // three and a half periods with the first request still open
    expect(calls()).toBe(1);
    expect(result.current.inFlight).toBe(true);
    reply = { status: 200, data: makeStatus() };
    backend.release({ status: 200, data: makeStatus() });
    await settle();
    expect(result.current.inFlight).toBe(false);
    await advance(2000);
    expect(calls()).toBe(2);
  });

  it('refresh fetches at once, joins a request in flight instead of overlapping it, and never adds a timer', async () => {
    const { result } = await mount();
    await advance(500);
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(2);
    reply = 'hang';
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(3);
    act(() => result.current.refresh()); // in flight: joined, not a second request
    act(() => result.current.refresh());
    await settle();
    expect(calls()).toBe(3);
    expect(backend.hanging).toBe(1);
    backend.release({ status: 200, data: makeStatus() });
    await settle();
    expect(intervals.live()).toBe(1);
    expect(intervals.maxLive()).toBe(1);
  });

  it('pause stops automatic fetches and clears the interval, the clock keeps going; resume fetches at once', async () => {
    const { result, rerender } = await mount();
    rerender({ paused: true });
    await settle();
    expect(intervals.live()).toBe(0);
    const before = result.current.now;
    await advance(6000);
    expect(calls()).toBe(1);
    expect(result.current.now - before).toBeGreaterThanOrEqual(6000);
    act(() => result.current.refresh()); // manual refresh still works while paused
    await settle();
    expect(calls()).toBe(2);
    rerender({ paused: false });
    await settle();
    expect(calls()).toBe(3);
    expect(intervals.live()).toBe(1);
    await advance(2000);
    expect(calls()).toBe(4);
  });

  it('resume while a request is in flight joins it and polling goes on after it', async () => {
    reply = 'hang';
    const { rerender } = await mount();
    rerender({ paused: true });
    rerender({ paused: false });
    await settle();
    expect(calls()).toBe(1);
    reply = { status: 200, data: makeStatus() };
    backend.release({ status: 200, data: makeStatus() });
    await settle();
    await advance(2000);
    expect(calls()).toBe(2);
  });

  it('a hidden document clears the interval and stops fetching; visible again fetches at once', async () => {
    await mount();
    setVisibility('hidden');
    await settle();
    expect(intervals.live()).toBe(0);
    await advance(10_000);
    expect(calls()).toBe(1);
    setVisibility('visible');
    await settle();
    expect(calls()).toBe(2);
    expect(intervals.live()).toBe(1);
    await advance(2000);
    expect(calls()).toBe(3);
  });

  it('showing the document again while paused does not fetch', async () => {
    const { rerender } = await mount();
    rerender({ paused: true });
    setVisibility('hidden');
    await advance(5000);
    setVisibility('visible');
    await settle();
    expect(calls()).toBe(1);
  });

  it('unmount clears the interval and the clock, and nothing fetches afterwards', async () => {
    const { unmount } = await mount();
    unmount();
    expect(intervals.live()).toBe(0);
    await advance(10_000);
    expect(calls()).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not retry a failure, keeps the last data with the error, and polls on', async () => {
    const { result } = await mount();
    reply = { networkError: true };
    await advance(2000);
    expect(calls()).toBe(2);
    expect(result.current.error?.kind).toBe('unreachable');
    expect(result.current.data?.jobs).toHaveLength(3);
    await advance(4000);
    expect(calls()).toBe(4); // one request per tick, no retries in between
    reply = { status: 200, data: makeStatus() };
    await advance(2000);
    expect(result.current.error).toBeNull();
  });

  it("keys by filter: a new filter fetches at once and never shows the other filter's data", async () => {
    const { result, rerender } = await mount({ queue: 'email' });
    expect(result.current.data).not.toBeNull();
    reply = 'hang';
    rerender({ queue: 'reports', state: 'FAILURE' as JobState });
    await settle();
    expect(calls()).toBe(2);
    expect(backend.calls[1].params).toEqual({ limit: JOBS_LIMIT, queue: 'reports', state: 'FAILURE' });
    expect(result.current.data).toBeNull();
    expect(result.current.updatedAt).toBeNull();
    expect(result.current.loading).toBe(true);
    expect(intervals.live()).toBe(1);
  });

  it('setStatusSnapshot writes into the same entry the poll reads (for a push stream)', async () => {
    const { result } = await mount({ queue: 'email' });
    const pushed = makeStatus({ jobs: [makeJob({ id: 'pushed' })] });
    await act(async () => setStatusSnapshot(client, { queue: 'email', limit: JOBS_LIMIT }, pushed));
    await settle();
    expect(result.current.data?.jobs.map((j) => j.id)).toEqual(['pushed']);
    expect(result.current.updatedAt).toBe(Date.now());
    expect(calls()).toBe(1);
  });
});
