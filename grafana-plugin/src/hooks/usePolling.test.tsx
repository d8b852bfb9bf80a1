import { act, renderHook } from '@testing-library/react';
import { trackIntervals } from '../test/intervals';
import { usePolling } from './usePolling';

/** A task whose runs stay in flight until the test resolves them. */
function controllableTask() {
  const resolvers: Array<() => void> = [];
  const task = jest.fn(() => new Promise<void>((resolve) => resolvers.push(resolve)));
  const finishAll = async () => {
    await act(async () => {
      resolvers.splice(0).forEach((r) => r());
    });
  };
  return { task, finishAll, pending: () => resolvers.length };
}

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

async function advance(ms: number) {
  await act(async () => {
    // Async variant: promises settle between timers, as they do in a browser.
    await jest.advanceTimersByTimeAsync(ms);
  });
}

describe('usePolling', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  beforeEach(() => {
    jest.useFakeTimers();
    intervals = trackIntervals();
    setVisibility('visible');
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  it('runs at once, then every interval', async () => {
    const task = jest.fn(() => Promise.resolve());
    renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    expect(task).toHaveBeenCalledTimes(1);
    await advance(1999);
    expect(task).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(task).toHaveBeenCalledTimes(2);
    await advance(4000);
    expect(task).toHaveBeenCalledTimes(4);
  });

  it('keeps a 2 s period when the wall clock reads a little behind the timer', async () => {
    // Browsers round Date.now() differently from timer scheduling: a tick 2 s later may read 1999 ms.
    let skew = 0;
    const realNow = Date.now.bind(Date);
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - skew);
    try {
      const task = jest.fn(() => {
        skew = 0;
        return Promise.resolve();
      });
      renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
      await act(async () => {});
      expect(task).toHaveBeenCalledTimes(1);
      skew = 1;
      await advance(2000);
      expect(task).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not run nor keep a timer while disabled', async () => {
    const task = jest.fn(() => Promise.resolve());
    renderHook(() => usePolling(task, { intervalMs: 2000, enabled: false }));
    await advance(10_000);
    expect(task).not.toHaveBeenCalled();
    expect(intervals.live()).toBe(0);
  });

  it('never overlaps a slow run: ticks are skipped while one is in flight', async () => {
    const { task, finishAll, pending } = controllableTask();
    renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    expect(task).toHaveBeenCalledTimes(1);
    await advance(7000); // three and a half intervals with the first request still open
    expect(task).toHaveBeenCalledTimes(1);
    expect(pending()).toBe(1);
    await finishAll();
    await advance(1000); // next tick after the slow run ended: due again
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('refresh runs at once without a second timer, and queues behind a run in flight', async () => {
    const { task, finishAll } = controllableTask();
    const { result } = renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    expect(intervals.live()).toBe(1);
    act(() => result.current.refresh());
    expect(task).toHaveBeenCalledTimes(1); // queued, not overlapping
    await finishAll();
    expect(task).toHaveBeenCalledTimes(2); // the queued refresh ran as soon as the first ended
    await finishAll();
    act(() => result.current.refresh());
    expect(task).toHaveBeenCalledTimes(3);
    await finishAll();
    expect(intervals.live()).toBe(1);
  });

  it('pause stops automatic runs but keeps the clock; resume runs at once', async () => {
    const task = jest.fn(() => Promise.resolve());
    const { result, rerender } = renderHook(
      ({ paused }) => usePolling(task, { intervalMs: 2000, enabled: true, paused }),
      {
        initialProps: { paused: false },
      }
    );
    await act(async () => {});
    rerender({ paused: true });
    const before = result.current.now;
    await advance(6000);
    expect(task).toHaveBeenCalledTimes(1);
    expect(result.current.now - before).toBeGreaterThanOrEqual(6000);
    act(() => result.current.refresh()); // manual refresh still works while paused
    await act(async () => {});
    expect(task).toHaveBeenCalledTimes(2);
    rerender({ paused: false });
    await act(async () => {});
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('resume while a run is in flight fetches right after it, not never', async () => {
    const { task, finishAll } = controllableTask();
    const { rerender } = renderHook(({ paused }) => usePolling(task, { intervalMs: 2000, enabled: true, paused }), {
      initialProps: { paused: false },
    });
    await act(async () => {});
    rerender({ paused: true });
    rerender({ paused: false }); // the first run is still in flight
    expect(task).toHaveBeenCalledTimes(1);
    await finishAll();
    expect(task).toHaveBeenCalledTimes(2);
    await finishAll();
  });

  it('a hidden document stops polling and clears the timer; visible again fetches at once', async () => {
    const task = jest.fn(() => Promise.resolve());
    renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    setVisibility('hidden');
    expect(intervals.live()).toBe(0);
    await advance(10_000);
    expect(task).toHaveBeenCalledTimes(1);
    setVisibility('visible');
    await act(async () => {});
    expect(task).toHaveBeenCalledTimes(2);
    await advance(2000);
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('unmount clears the timer and drops a queued refresh', async () => {
    const { task, finishAll } = controllableTask();
    const { result, unmount } = renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    act(() => result.current.refresh());
    unmount();
    expect(intervals.live()).toBe(0);
    await finishAll();
    await advance(10_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('keeps polling after a failing run', async () => {
    const task = jest.fn(() => Promise.reject(new Error('down')));
    renderHook(() => usePolling(task, { intervalMs: 2000, enabled: true }));
    await act(async () => {});
    await advance(4000);
    expect(task).toHaveBeenCalledTimes(3);
  });
});
