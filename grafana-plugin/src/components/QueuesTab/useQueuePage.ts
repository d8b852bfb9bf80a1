import { useCallback, useMemo, useState } from 'react';
import type { QueueSummary } from '@jobscope/contract';

/** Rows per page of the Queues tab: a service with 1,000 queues stays one screen and one render of 50 rows. */
export const QUEUES_PER_PAGE = 50;

/**
 * The Queues tab's filter box and pages: queues whose name (or prefix) contains the filter, ASCII case-insensitive,
 * `QUEUES_PER_PAGE` at a time. A new filter goes back to page 1; a page past the end (queues vanished) to the last.
 */
export function useQueuePage(queues: QueueSummary[]) {
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const matching = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return needle ? queues.filter((q) => q.name.toLowerCase().includes(needle) || q.prefix.toLowerCase().includes(needle)) : queues;
  }, [queues, filter]);
  const pages = Math.max(1, Math.ceil(matching.length / QUEUES_PER_PAGE));
  const current = Math.min(page, pages);
  const changeFilter = useCallback((value: string) => {
    setFilter(value);
    setPage(1);
  }, []);
  const first = (current - 1) * QUEUES_PER_PAGE;
  return {
    filter,
    setFilter: changeFilter,
    page: current,
    pages,
    setPage,
    rows: matching.slice(first, first + QUEUES_PER_PAGE),
    /** 1-based range shown and how many match, for "showing 51–100 of 1,000 queues". */
    from: matching.length === 0 ? 0 : first + 1,
    to: Math.min(first + QUEUES_PER_PAGE, matching.length),
    matching: matching.length,
  };
}
