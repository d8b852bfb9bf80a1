import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { FakeEventSource, installFakeEventSource } from '../test/eventSource';
import { FakeBackend } from '../test/fakeBackend';
import { makeStatus } from '../test/fixtures';
import { trackIntervals } from '../test/intervals';
import { setUserRole, TestRouter } from '../test/TestRouter';
import { SettingsPage } from './SettingsPage';

const PAGE = '/a/jobscope-jobs-app/settings';

describe('SettingsPage live stream across tab switches', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  let eventSource: ReturnType<typeof installFakeEventSource>;

  beforeEach(() => {
    window.sessionStorage.clear();
    setUserRole('Viewer');
    jest.useFakeTimers();
    intervals = trackIntervals();
    eventSource = installFakeEventSource();
    new FakeBackend((call) =>
      call.url.endsWith('/api/health')
        ? { status: 200, data: { status: 'pass', serviceId: 'jobscope', version: '0.1.0', checks: {} } }
        : { status: 200, data: makeStatus() }
    ).install();
  });
  afterEach(() => {
    eventSource.restore();
    intervals.restore();
    jest.useRealTimers();
  });

  it('50 tab switches leave no EventSource and no timer; at most one stream is ever open', async () => {
    act(() => locationService.push(PAGE));
    const view = render(
      <TestRouter>
        <SettingsPage serviceUrl="http://jobscope:8787" />
      </TestRouter>
    );
    await act(async () => {});
    let maxOpen = 0;
    let jobsEntries = 0;
    for (let i = 0; i < 50; i++) {
      const label = i % 2 === 0 ? 'Jobs' : i % 4 === 1 ? 'Queues' : 'General';
      fireEvent.click(screen.getByRole('tab', { name: label }));
      await act(async () => {});
      maxOpen = Math.max(maxOpen, FakeEventSource.open().length);
      if (label === 'Jobs') {
        jobsEntries++;
        expect(FakeEventSource.open()).toHaveLength(1);
        // Half the visits go live, the others are left before the stream said anything.
        if (i % 4 === 0) {
          await act(async () => FakeEventSource.latest().emit('snapshot', makeStatus()));
          await act(async () => {});
          expect(screen.getByTestId('jobs-live-indicator')).toHaveAttribute('data-mode', 'live');
          expect(intervals.live()).toBe(0);
        }
      } else {
        expect(FakeEventSource.open()).toHaveLength(0);
        expect(intervals.live()).toBe(0);
      }
    }
    expect(maxOpen).toBe(1);
    expect(FakeEventSource.instances).toHaveLength(jobsEntries);
    expect(FakeEventSource.instances.every((s) => s.closeCalls === 1)).toBe(true);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0);
    });
    // Ended on Queues: no stream, no watchdog or retry timer, no poll interval.
    expect(jest.getTimerCount()).toBe(0);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(120_000);
    });
    expect(FakeEventSource.instances).toHaveLength(jobsEntries);

    // Back on Jobs: one stream; unmounting closes it and leaves nothing behind.
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs' }));
    await act(async () => {});
    expect(FakeEventSource.open()).toHaveLength(1);
    view.unmount();
    expect(FakeEventSource.open()).toHaveLength(0);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(0); // React's own zero-delay scheduling after the unmount
    });
    expect(jest.getTimerCount()).toBe(0);
  }, 60_000);
});
