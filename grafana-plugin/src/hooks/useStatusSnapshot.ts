import type { StatusResponse } from '@jobscope/contract';
import { fetchStatus } from '../api/client';
import { useServiceCall, type ServiceCall } from './useServiceCall';

export type StatusSnapshot = ServiceCall<StatusResponse>;

// Only queues, Redis and versions are used by these tabs: ask for the smallest job list.
const fetchQueuesOnly = () => fetchStatus({ limit: 1 });

/** One status request on mount (General and Queues tabs), again on `reload()`; no timer. */
export function useStatusSnapshot(): StatusSnapshot {
  return useServiceCall(fetchQueuesOnly);
}
