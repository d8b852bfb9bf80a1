import React from 'react';
import { render, screen } from '@testing-library/react';
import { makeStatus } from '../../test/fixtures';
import { TEST_IDS } from '../testIds';
import { describeOutage, StatusBanner } from './StatusBanner';

describe('describeOutage', () => {
  it('says nothing when every node answered', () => {
    expect(describeOutage(makeStatus(), null)).toBeNull();
  });

  it('names the Redis Cluster nodes that did not answer and says their queues are from the last good read', () => {
    const outage = describeOutage(
      makeStatus({
        unreachable: [{ node: '10.0.0.3:6379', source: 'bullmq', queues: ['bull:{a}', 'bull:{b}'], error: 'reading its queues timed out after 400 ms' }],
      }),
      null
    );
    expect(outage).toEqual({
      kind: 'partial',
      title: 'Some Redis nodes did not answer',
      detail: '10.0.0.3:6379 (2 queues): reading its queues timed out after 400 ms. Their queues, marked stale, show the last good read; the others are current.',
    });
    render(<StatusBanner outage={outage} />);
    expect(screen.getByTestId(TEST_IDS.jobsErrorBanner)).toHaveTextContent('Some Redis nodes did not answer');
  });

  it('a whole-Redis outage wins over a partial one', () => {
    const outage = describeOutage(
      makeStatus({ stale: true, redis: { ok: false, latencyMs: null, error: 'connection refused', version: null }, unreachable: [] }),
      null
    );
    expect(outage?.kind).toBe('redis');
  });
});
