import React, { type ReactNode } from 'react';
import { renderHook, type RenderHookResult } from '@testing-library/react';
import type { QueryClient } from '@tanstack/react-query';
import { QueryProvider } from '../api/QueryProvider';
import { useJobsStatus, type JobsStatusOptions } from '../hooks/useJobsStatus';
import { setVisibility, settle } from './clock';
import { installFakeEventSource } from './eventSource';
import { FakeBackend, type FakeReply } from './fakeBackend';
import { makeStatus } from './fixtures';
import { trackIntervals } from './intervals';
import { createTestQueryClient } from './TestRouter';

export type JobsStatusProps = Partial<JobsStatusOptions>;

export interface JobsStatusHarness {
  intervals: ReturnType<typeof trackIntervals>;
  /** Installed only with `{ eventSource: true }`. */
  eventSource: ReturnType<typeof installFakeEventSource>;
  /** What the status route answers next (a test may change it). */
  reply: FakeReply;
  backend: FakeBackend;
  client: QueryClient;
  /** Status requests so far. */
  calls: () => number;
  /** Renders `useJobsStatus` (enabled, not paused, then `initial`) and lets the first fetch land. */
  mount: (initial?: JobsStatusProps) => Promise<RenderHookResult<ReturnType<typeof useJobsStatus>, JobsStatusProps>>;
}

/**
 * Per-test setup for the `useJobsStatus` hook suites: fake timers, tracked intervals, a visible document, a backend
 * answering `harness.reply` and a fresh QueryClient; with `eventSource`, a FakeEventSource as the global EventSource.
 * Call it inside a `describe`; the fields are replaced before each test.
 */
export function jobsStatusHarness({ eventSource = false }: { eventSource?: boolean } = {}): JobsStatusHarness {
  const harness = {
    calls: () => harness.backend.callsTo('/api/settings/jobs/status').length,
    mount: async (initial: JobsStatusProps = {}) => {
      const wrapper = ({ children }: { children: ReactNode }) => (
        <QueryProvider client={harness.client}>{children}</QueryProvider>
      );
      const view = renderHook((p: JobsStatusProps) => useJobsStatus({ enabled: true, paused: false, ...p }), {
        wrapper,
        initialProps: initial,
      });
      await settle();
      return view;
    },
  } as JobsStatusHarness;

  beforeEach(() => {
    jest.useFakeTimers();
    harness.intervals = trackIntervals();
    if (eventSource) {
      harness.eventSource = installFakeEventSource();
    }
    setVisibility('visible');
    harness.reply = { status: 200, data: makeStatus() };
    harness.backend = new FakeBackend(() => harness.reply).install();
    harness.client = createTestQueryClient();
  });
  afterEach(() => {
    setVisibility('visible');
    if (eventSource) {
      harness.eventSource.restore();
    }
    harness.intervals.restore();
    jest.useRealTimers();
  });
  return harness;
}
