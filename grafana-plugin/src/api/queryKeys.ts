import type { StatusFilter } from './client';

/**
 * Every TanStack Query key of the plugin, in one place. A status key carries the whole filter, so two filters never
 * share an entry (the Jobs tab never shows another filter's rows, not even while the new filter loads).
 */
export const queryKeys = {
  all: ['jobscope'] as const,
  /** Every status entry, whatever its filter (for invalidation after an enqueue). */
  statusAll: ['jobscope', 'status'] as const,
  status: (filter: StatusFilter) =>
    [
      'jobscope',
      'status',
      { queue: filter.queue ?? null, state: filter.state ?? null, limit: filter.limit ?? null },
    ] as const,
  health: ['jobscope', 'health'] as const,
  /** Every audit entry list, whatever its limit (for invalidation after any write). */
  auditAll: ['jobscope', 'audit'] as const,
  audit: (limit: number) => ['jobscope', 'audit', { limit }] as const,
};
