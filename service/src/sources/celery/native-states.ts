import { foldStateCounts, type JobState, type NativeCounts, type StateCounts } from '@jobscope/contract';

/**
 * Where a Celery task is, in Celery's own words: the result backend's states (`STARTED`, `RETRY`, `SUCCESS`,
 * `FAILURE`, `REVOKED`…), and for tasks the backend knows nothing of yet, the names `celery inspect` uses
 * (`reserved`, `scheduled`, `active`) plus `PENDING` for a message still in the broker list. `ACTIVE` is a task a
 * live worker reports running; `STARTED` is the backend's word only (no live worker confirms it: the worker may be
 * gone — see `stalled`).
 */
export const CELERY_NATIVE_STATES = [
  'ACTIVE',
  'STARTED',
  'PENDING',
  'RESERVED',
  'SCHEDULED',
  'RETRY',
  'FAILURE',
  'REVOKED',
  'REJECTED',
  'SUCCESS',
  'IGNORED',
] as const;
export type CeleryNativeState = (typeof CELERY_NATIVE_STATES)[number];

export const STATE_OF_CELERY: Readonly<Record<CeleryNativeState, JobState>> = {
  ACTIVE: 'RUNNING',
  STARTED: 'RUNNING',
  PENDING: 'PENDING',
  RESERVED: 'PENDING',
  SCHEDULED: 'DELAYED',
  // A retry waits for its countdown before it runs again.
  RETRY: 'DELAYED',
  FAILURE: 'FAILURE',
  REVOKED: 'FAILURE',
  REJECTED: 'FAILURE',
  SUCCESS: 'SUCCESS',
  IGNORED: 'SUCCESS',
};

/** Result-backend states after which a task does not change any more (Celery's READY_STATES plus IGNORED). */
export const CELERY_READY_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED', 'REJECTED', 'IGNORED']);

export function isCeleryNativeState(value: string): value is CeleryNativeState {
  return (CELERY_NATIVE_STATES as readonly string[]).includes(value);
}

/**
 * The backend's state as a native state: custom states a task sets with `update_state` (e.g. `PROGRESS`) are written
 * while it runs, so they count as STARTED.
 */
export function nativeOfBackendState(status: string): CeleryNativeState {
  return isCeleryNativeState(status) && status !== 'ACTIVE' ? status : 'STARTED';
}

export function emptyNativeCounts(): Record<CeleryNativeState, number> {
  return Object.fromEntries(CELERY_NATIVE_STATES.map((n) => [n, 0])) as Record<CeleryNativeState, number>;
}

export function stateCountsOf(native: NativeCounts): StateCounts {
  return foldStateCounts(native, (n) => STATE_OF_CELERY[n as CeleryNativeState] ?? 'RUNNING');
}
