/**
 * Counts live `setInterval` timers (the poll is TanStack Query's refetch interval, the only interval the plugin uses).
 * jest.getTimerCount() also counts React's scheduler timeouts (the MessageChannel stub), so the polling timer is tracked
 * on its own. `maxLive` is the most intervals ever live at once: TanStack re-arms its interval after each fetch, so
 * "never a second timer" is `maxLive() === 1`, not a count of creations.
 */
export function trackIntervals(): {
  live: () => number;
  maxLive: () => number;
  created: () => number;
  restore: () => void;
} {
  const live = new Set<unknown>();
  let created = 0;
  let maxLive = 0;
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  const setSpy = jest.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
    const id = realSet(fn, ms);
    live.add(id);
    created++;
    maxLive = Math.max(maxLive, live.size);
    return id;
  }) as typeof setInterval);
  const clearSpy = jest.spyOn(globalThis, 'clearInterval').mockImplementation(((
    id?: Parameters<typeof clearInterval>[0]
  ) => {
    live.delete(id);
    realClear(id);
  }) as typeof clearInterval);
  return {
    live: () => live.size,
    maxLive: () => maxLive,
    created: () => created,
    restore: () => {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    },
  };
}
