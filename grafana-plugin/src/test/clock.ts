import { act } from '@testing-library/react';

/**
 * Lets replies and TanStack's notifications land (microtasks and zero-delay timers), without moving the clock.
 * For tests on jest's fake timers.
 */
export async function settle(): Promise<void> {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(0);
  });
}

/** Moves the fake clock by `ms`; the async variant lets promises settle between timers, as they do in a browser. */
export async function tick(ms: number): Promise<void> {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

/** Sets `document.visibilityState` and tells listeners, as a browser does when the tab is hidden or shown. */
export function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  act(() => {
    document.dispatchEvent(new Event('visibilitychange'));
  });
}
