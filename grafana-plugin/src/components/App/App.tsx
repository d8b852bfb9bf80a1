import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { QueryProvider } from '../../api/QueryProvider';
import { SettingsPage } from '../../pages/SettingsPage';
import type { JobscopeSettings } from '../../types';

export const SETTINGS_ROUTE = 'settings';

/**
 * Root of the app: `/a/<id>/settings` is the one page; any other path inside the app redirects there. The app's one
 * QueryClient is provided here, so every tab (and a future push stream) shares one cache.
 */
function App({ meta }: AppRootProps<JobscopeSettings>) {
  return (
    <QueryProvider>
      <Routes>
        <Route path={SETTINGS_ROUTE} element={<SettingsPage serviceUrl={meta.jsonData?.serviceUrl} />} />
        <Route path="*" element={<Navigate to={SETTINGS_ROUTE} replace />} />
      </Routes>
    </QueryProvider>
  );
}

export default App;
