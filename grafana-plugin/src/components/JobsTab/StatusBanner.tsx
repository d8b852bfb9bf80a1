import React from 'react';
import { Alert } from '@grafana/ui';
import type { StatusResponse } from '@jobscope/contract';
import type { ServiceError, ServiceErrorKind } from '../../api/client';
import { TEST_IDS } from '../testIds';

/**
 * What the banner says: the kind is the client's own ServiceErrorKind (one name per failure case), or `partial` when
 * some Redis Cluster nodes did not answer and only their queues are shown from the last good read.
 */
export type Outage = { kind: ServiceErrorKind | 'partial'; title: string; detail: string } | null;

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
  if (data?.unreachable?.length) {
    const nodes = data.unreachable.map((u) => `${u.node ?? 'a Redis node'} (${u.queues.length} queue${u.queues.length === 1 ? '' : 's'}): ${u.error}`);
    return {
      kind: 'partial',
      title: 'Some Redis nodes did not answer',
      detail: `${nodes.join('; ')}. Their queues, marked stale, show the last good read; the others are current.`,
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
      severity={outage.kind === 'rejected' || outage.kind === 'partial' ? 'warning' : 'error'}
      title={outage.title}
    >
      {outage.detail} {outage.kind !== 'rejected' && 'Polling continues; this clears when it recovers.'}
    </Alert>
  );
}
