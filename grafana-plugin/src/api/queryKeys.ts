import type { SearchParams, StatusFilter } from './client';

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
      {
        queue: filter.queue || null,
        state: filter.state ?? null,
        name: filter.name || null,
        from: filter.from || null,
        to: filter.to || null,
        cursor: filter.cursor || null,
        limit: filter.limit ?? null,
      },
    ] as const,
  /** Every entry of one job (detail and logs), by job key. */
  job: (key: string) => ['jobscope', 'job', key] as const,
  jobDetail: (key: string) => ['jobscope', 'job', key, 'detail'] as const,
  jobLogs: (key: string, offset: number, limit: number) => ['jobscope', 'job', key, 'logs', { offset, limit }] as const,
  searchAll: ['jobscope', 'search'] as const,
  search: (p: SearchParams) =>
    [
      'jobscope',
      'search',
      { q: p.q, queue: p.queue || null, state: p.state ?? null, limit: p.limit ?? null, window: p.window ?? null },
    ] as const,
  health: ['jobscope', 'health'] as const,
  /** Every audit entry list, whatever its limit (for invalidation after any write). */
  auditAll: ['jobscope', 'audit'] as const,
  audit: (limit: number) => ['jobscope', 'audit', { limit }] as const,
};
