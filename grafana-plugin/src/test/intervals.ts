/**
 * Counts live `setInterval` timers. jest.getTimerCount() also counts React's scheduler timeouts (the MessageChannel
 * stub), so the polling timer is tracked on its own.
 */
export function trackIntervals(): { live: () => number; created: () => number; restore: () => void } {
  const live = new Set<unknown>();
  let created = 0;
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  const setSpy = jest.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
    const id = realSet(fn, ms);
    live.add(id);
    created++;
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
    created: () => created,
    restore: () => {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    },
  };
}
