import React, { type ReactElement } from 'react';
import { act, render, type RenderResult } from '@testing-library/react';
import { locationService } from '@grafana/runtime';
import { JobsTab } from '../components/JobsTab/JobsTab';
import { settle } from './clock';
import { TestRouter } from './TestRouter';

/** The app page the tabs live on. */
export const PAGE = '/a/jobscope-jobs-app/settings';
/** Where the plugin's requests go: Grafana's plugin proxy. */
export const PROXY = '/api/plugin-proxy/jobscope-jobs-app';

/** Navigates to `PAGE?tab=<tab><query>` and renders `ui` inside a TestRouter (not waiting for anything). */
export function renderTab(tab: string, ui: ReactElement, query = ''): RenderResult {
  act(() => locationService.push(`${PAGE}?tab=${tab}${query}`));
  return render(<TestRouter>{ui}</TestRouter>);
}

/** Renders the Jobs tab at `PAGE?tab=jobs<query>` and lets its first request land (fake timers). */
export async function renderJobsTab(query = ''): Promise<RenderResult> {
  const view = renderTab('jobs', <JobsTab />, query);
  await settle();
  return view;
}
