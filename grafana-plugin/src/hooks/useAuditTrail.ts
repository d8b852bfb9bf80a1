import { useQuery } from '@tanstack/react-query';
import type { AuditEntry } from '@jobscope/contract';
import { fetchAudit, type ServiceError } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** Entries shown in "Recent actions". */
export const RECENT_ACTIONS_LIMIT = 20;

export function auditQueryOptions(limit: number) {
  return { queryKey: queryKeys.audit(limit), queryFn: () => fetchAudit(limit) };
}

/** The newest writes, fetched on mount and again whenever an action invalidates the audit queries; no timer. */
export function useAuditTrail(limit = RECENT_ACTIONS_LIMIT) {
  return useQuery<AuditEntry[], ServiceError>(auditQueryOptions(limit));
}
