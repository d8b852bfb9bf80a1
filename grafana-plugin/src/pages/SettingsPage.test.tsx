import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { FakeBackend } from '../test/fakeBackend';
import { makeStatus } from '../test/fixtures';
import { trackIntervals } from '../test/intervals';
import { currentSearch, setUserRole, TestRouter } from '../test/TestRouter';
import { TAB_STORAGE_KEY } from '../hooks/useSettingsTab';
import { SettingsPage } from './SettingsPage';

const PAGE = '/a/jobscope-jobs-app/settings';

function healthOrStatus() {
  return new FakeBackend((call) =>
    call.url.endsWith('/api/health')
      ? { status: 200, data: { status: 'pass', serviceId: 'jobscope', version: '0.1.0', checks: {} } }
      : { status: 200, data: makeStatus() }
  ).install();
}

async function renderAt(url: string) {
  act(() => locationService.push(url));
  const view = render(
    <TestRouter>
      <SettingsPage serviceUrl="http://jobscope:8787" />
    </TestRouter>
  );
  await act(async () => {});
  return view;
}

async function clickTab(name: string) {
  fireEvent.click(screen.getByRole('tab', { name }));
  await act(async () => {});
}

const selectedTab = () =>
  screen.getAllByRole('tab').find((t) => t.getAttribute('aria-selected') === 'true')?.textContent;

describe('SettingsPage tabs', () => {
  // Fake timers: the Jobs tab's 2 s poll must not fire between steps (outside act) on a slow machine.
  afterEach(() => {
    jest.useRealTimers();
  });
  beforeEach(() => {
    jest.useFakeTimers();
    window.sessionStorage.clear();
    setUserRole('Viewer');
    healthOrStatus();
  });

  it('shows the three tabs, General by default', async () => {
    await renderAt(PAGE);
    expect(screen.getAllByRole('tab').map((t) => t.textContent)).toEqual(['General', 'Jobs', 'Queues']);
    expect(selectedTab()).toBe('General');
  });

  it('opens Jobs from ?tab=jobs', async () => {
    await renderAt(`${PAGE}?tab=jobs`);
    expect(selectedTab()).toBe('Jobs');
    expect(await screen.findAllByTestId('job-row')).toHaveLength(3);
  });

  it('falls back to General for an unknown tab', async () => {
    await renderAt(`${PAGE}?tab=bogus`);
    expect(selectedTab()).toBe('General');
  });

  it('switching tabs updates the URL with a history entry; back and forward switch tabs', async () => {
    await renderAt(PAGE);
    await clickTab('Jobs');
    expect(currentSearch().get('tab')).toBe('jobs');
    expect(selectedTab()).toBe('Jobs');
    await clickTab('Queues');
    expect(currentSearch().get('tab')).toBe('queues');
    expect(selectedTab()).toBe('Queues');

    await act(async () => locationService.getHistory().goBack());
    expect(selectedTab()).toBe('Jobs');
    await act(async () => locationService.getHistory().goBack());
    expect(selectedTab()).toBe('General');
    await act(async () => locationService.getHistory().goForward());
    expect(selectedTab()).toBe('Jobs');
  });

  it('a later query change switches the tab', async () => {
    await renderAt(PAGE);
    await act(async () => locationService.partial({ tab: 'queues' }));
    expect(selectedTab()).toBe('Queues');
  });

  it('without ?tab, reopens the last tab used in this session', async () => {
    const first = await renderAt(PAGE);
    await clickTab('Queues');
    expect(window.sessionStorage.getItem(TAB_STORAGE_KEY)).toBe('queues');
    first.unmount();
    await renderAt(PAGE);
    expect(selectedTab()).toBe('Queues');
  });

  it('ignores a bad value in sessionStorage', async () => {
    window.sessionStorage.setItem(TAB_STORAGE_KEY, 'nonsense');
    await renderAt(PAGE);
    expect(selectedTab()).toBe('General');
  });
});

describe('SettingsPage polling across tab switches', () => {
  let intervals: ReturnType<typeof trackIntervals>;
  beforeEach(() => {
    window.sessionStorage.clear();
    setUserRole('Viewer');
    jest.useFakeTimers();
    intervals = trackIntervals();
  });
  afterEach(() => {
    intervals.restore();
    jest.useRealTimers();
  });

  it('50 tab switches leave at most one live timer and no extra requests', async () => {
    const backend = healthOrStatus();
    const view = await renderAt(PAGE);
    const statusCalls = () => backend.callsTo('/api/settings/jobs/status').length;

    const initial = statusCalls(); // General's own status request
    let jobsEntries = 0;
    let otherEntries = 0;
    let last = 'General';
    for (let i = 0; i < 50; i++) {
      const label = i % 2 === 0 ? 'Jobs' : i % 4 === 1 ? 'Queues' : 'General';
      fireEvent.click(screen.getByRole('tab', { name: label }));
      await act(async () => {});
      last = label;
      if (label === 'Jobs') {
        jobsEntries++;
      } else {
        otherEntries++;
      }
      expect(intervals.live()).toBe(label === 'Jobs' ? 1 : 0);
    }
    // Ended on Queues (i = 49): Jobs' timer is gone. Jobs fetched once per entry, Queues/General once per visit.
    expect(selectedTab()).toBe(last);
    expect(intervals.live()).toBe(0);
    // Never two poll timers at once, even for a moment during a switch.
    expect(intervals.maxLive()).toBe(1);
    const afterSwitches = statusCalls();
    expect(afterSwitches - initial).toBe(jobsEntries + otherEntries);

    // Nothing keeps polling after leaving the Jobs tab.
    await act(async () => {
      await jest.advanceTimersByTimeAsync(20_000);
    });
    expect(statusCalls()).toBe(afterSwitches);

    // On the Jobs tab, exactly one request every 2 s.
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs' }));
    await act(async () => {});
    const onEntry = statusCalls();
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10_000);
    });
    expect(statusCalls() - onEntry).toBe(5);
    expect(intervals.live()).toBe(1);

    view.unmount();
    expect(intervals.live()).toBe(0);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10_000);
    });
    expect(statusCalls() - onEntry).toBe(5);
  }, 60_000);
});
