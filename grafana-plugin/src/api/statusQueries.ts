import { replaceEqualDeep, type QueryClient } from '@tanstack/react-query';
import { sameJob, type JobRef, type JobSummary, type QueueAddress, type StatusResponse } from '@jobscope/contract';
import { fetchStatus, type StatusFilter } from './client';
import { queryKeys } from './queryKeys';

/** Jobs requested per poll: enough to find a job just enqueued, well under the service's maximum (200). */
export const JOBS_LIMIT = 100;
/** The General and Queues tabs use only queues, Redis and versions: they ask for the smallest job list. */
export const SNAPSHOT_FILTER: StatusFilter = { limit: 1 };

/** How much older than the cached reply a reply may be and still count as late (beyond: another replica's clock). */
export const LATE_REPLY_WINDOW_MS = 10_000;

/**
 * Which of two replies for one view the cache keeps: the newer one. The live stream pushes only changes, so a late
 * reply written over a newer push (a poll that was still on its way, or answered from the service's cache) would stay
 * on the page until the next change. A stale reply (Redis down: the last good snapshot, older by nature) always wins,
 * and so does one older by more than a late reply can be (replicas whose clocks differ must not freeze the page).
 */
export function newerStatus(cached: StatusResponse | undefined, incoming: StatusResponse): StatusResponse {
  const late =
    cached !== undefined &&
    cached.generatedAtMs > incoming.generatedAtMs &&
    cached.generatedAtMs - incoming.generatedAtMs <= LATE_REPLY_WINDOW_MS;
  return late && !cached.stale && !incoming.stale ? cached : incoming;
}

/**
 * Query options of one status request for a filter: key and fetcher stay together. Every write to the entry (a poll's
 * reply, a pushed snapshot through `setStatusSnapshot`) goes through `structuralSharing`, hence through `newerStatus`.
 */
export function statusQueryOptions(filter: StatusFilter) {
  return {
    queryKey: queryKeys.status(filter),
    queryFn: () => fetchStatus(filter),
    structuralSharing: (cached: unknown, incoming: unknown) =>
      replaceEqualDeep(cached, newerStatus(cached as StatusResponse | undefined, incoming as StatusResponse)),
  };
}

/**
 * Writes a status reply for a filter into the cache, as if a poll had returned it: a push stream (e.g. server-sent
 * events) can feed the Jobs tab through this without a second data path (a late one is kept out: `newerStatus`).
 */
export function setStatusSnapshot(queryClient: QueryClient, filter: StatusFilter, data: StatusResponse): void {
  queryClient.setQueryData<StatusResponse>(queryKeys.status(filter), data);
}

/**
 * Writes a job as an action returned it into every cached status reply that lists it (null: removes it), so its row
 * changes at once; the caller then invalidates the status queries so counts and order follow from the service.
 */
export function setJobInStatus(queryClient: QueryClient, ref: JobRef, job: JobSummary | null): void {
  queryClient.setQueriesData<StatusResponse>({ queryKey: queryKeys.statusAll }, (old) => {
    if (!old || !old.jobs.some((j) => sameJob(j, ref))) {
      return old;
    }
    const jobs =
      job === null ? old.jobs.filter((j) => !sameJob(j, ref)) : old.jobs.map((j) => (sameJob(j, ref) ? job : j));
    return { ...old, jobs };
  });
}

/** Writes a queue's paused flag as a queue action returned it into every cached status reply. */
export function setQueuePausedInStatus(queryClient: QueryClient, queue: QueueAddress, paused: boolean): void {
  const same = (q: QueueAddress) => q.source === queue.source && q.prefix === queue.prefix && q.name === queue.name;
  queryClient.setQueriesData<StatusResponse>({ queryKey: queryKeys.statusAll }, (old) => {
    if (!old || !old.queues.some(same)) {
      return old;
    }
    return { ...old, queues: old.queues.map((q) => (same(q) ? { ...q, paused } : q)) };
  });
}
