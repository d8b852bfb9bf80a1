import React from 'react';
import { Route, Routes } from 'react-router-dom';
import { act, render, screen } from '@testing-library/react';
import { PluginType, type AppRootProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { FakeBackend } from '../../test/fakeBackend';
import { makeStatus } from '../../test/fixtures';
import { TestRouter } from '../../test/TestRouter';
import App from './App';

const props = {
  basename: '/a/jobscope-jobs-app',
  meta: {
    id: 'jobscope-jobs-app',
    name: 'Jobscope',
    type: PluginType.app,
    enabled: true,
    jsonData: { serviceUrl: 'http://jobscope:8787' },
  },
  query: {},
  path: '',
  onNavChanged: jest.fn(),
} as unknown as AppRootProps;

async function renderAppAt(url: string) {
  act(() => locationService.push(url));
  // Grafana mounts the app root under /a/:pluginId/* (AppRootPage).
  render(
    <TestRouter>
      <Routes>
        <Route path="/a/jobscope-jobs-app/*" element={<App {...props} />} />
      </Routes>
    </TestRouter>
  );
  await act(async () => {});
}

describe('App', () => {
  beforeEach(() => {
    window.sessionStorage.clear();
    new FakeBackend((call) =>
      call.url.endsWith('/api/health')
        ? { status: 200, data: { status: 'pass', serviceId: 'jobscope', checks: {} } }
        : { status: 200, data: makeStatus() }
    ).install();
  });

  it('serves the Settings page at /a/<id>/settings with the service URL from jsonData', async () => {
    await renderAppAt('/a/jobscope-jobs-app/settings');
    expect(await screen.findByRole('tab', { name: 'General' })).toBeInTheDocument();
    expect(screen.getByText('http://jobscope:8787')).toBeInTheDocument();
  });

  it('redirects any other app path to the Settings page', async () => {
    await renderAppAt('/a/jobscope-jobs-app/elsewhere');
    expect(locationService.getLocation().pathname).toBe('/a/jobscope-jobs-app/settings');
    expect(await screen.findByRole('tab', { name: 'Jobs' })).toBeInTheDocument();
  });
});
