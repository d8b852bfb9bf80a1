import { useEffect, useState } from 'react';

/**
 * Wall-clock time that advances every `stepMs` while `running` (for "updated N s ago"). A one-shot timeout re-armed on
 * each tick, cleared when stopped or unmounted; the poll itself is TanStack Query's refetch interval.
 */
export function useNow(running: boolean, stepMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) {
      return undefined;
    }
    let id: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      id = setTimeout(() => {
        setNow(Date.now());
        arm();
      }, stepMs);
    };
    arm();
    return () => clearTimeout(id);
  }, [running, stepMs]);
  return now;
}
