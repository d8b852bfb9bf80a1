import React from 'react';
import { Alert } from '@grafana/ui';
import type { StatusResponse } from '@jobscope/contract';
import type { ServiceError, ServiceErrorKind } from '../../api/client';
import { TEST_IDS } from '../testIds';

/** What the banner says: the kind is the client's own ServiceErrorKind (one name per failure case). */
export type Outage = { kind: ServiceErrorKind; title: string; detail: string } | null;

/**
 * What is wrong, if anything: the service did not answer (network error, proxy 502/504), Redis is down (503 from the
 * service, or a 200 carrying the last snapshot with `stale`/`redis.ok: false`), or the service refused the request.
 */
export function describeOutage(data: StatusResponse | null, error: ServiceError | null): Outage {
  if (error?.kind === 'unreachable') {
    return { kind: 'unreachable', title: 'Jobs service unreachable', detail: error.message };
  }
  if (error?.kind === 'redis') {
    return { kind: 'redis', title: 'Redis unavailable', detail: error.message };
  }
  if (error) {
    const hint =
      error.status === 401 || error.status === 403 ? ' Check the API token on the plugin configuration page.' : '';
    return {
      kind: 'rejected',
      title: `Jobs service refused the request${error.status ? ` (HTTP ${error.status})` : ''}`,
      detail: error.message + hint,
    };
  }
  if (data && (data.stale || !data.redis.ok)) {
    return {
      kind: 'redis',
      title: 'Redis unavailable',
      detail: `${data.redis.error ?? 'The service cannot read Redis.'} Showing the last snapshot.`,
    };
  }
  return null;
}

export function StatusBanner({ outage }: { outage: Outage }) {
  if (!outage) {
    return null;
  }
  return (
    <Alert
      data-testid={TEST_IDS.jobsErrorBanner}
      severity={outage.kind === 'rejected' ? 'warning' : 'error'}
      title={outage.title}
    >
      {outage.detail} {outage.kind !== 'rejected' && 'Polling continues; this clears when it recovers.'}
    </Alert>
  );
}
