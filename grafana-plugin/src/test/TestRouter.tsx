import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { Router, type Navigator } from 'react-router-dom';
import type { OrgRole } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';
import type { QueryClient } from '@tanstack/react-query';
import { createQueryClient } from '../api/queryClient';
import { QueryProvider } from '../api/QueryProvider';

/** A QueryClient for one test: the app's defaults, and no garbage-collection timers left behind. */
export function createTestQueryClient(): QueryClient {
  return createQueryClient({ queries: { gcTime: Infinity }, mutations: { gcTime: Infinity } });
}

/**
 * A react-router v6 Router driven by Grafana's `locationService` history, as inside Grafana: `locationService.partial`
 * and `push` re-render the tree, and back/forward work (grafana/plugin-tools "TestRoutesProvider" pattern). It also
 * provides a fresh QueryClient (as the app root does), or the one given.
 */
export function TestRouter({ children, queryClient }: { children: ReactNode; queryClient?: QueryClient }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  const [client] = useState(() => queryClient ?? createTestQueryClient());
  useLayoutEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <QueryProvider client={client}>
      <Router navigator={history as unknown as Navigator} location={location}>
        {children}
      </Router>
    </QueryProvider>
  );
}

/** Sets the signed-in user's org role as Grafana's boot data would (with no RBAC permissions: the role decides). */
export function setUserRole(orgRole: 'Admin' | 'Editor' | 'Viewer', isGrafanaAdmin = false): void {
  config.bootData.user = { ...config.bootData.user, orgRole: orgRole as OrgRole, isGrafanaAdmin, permissions: {} };
}

/** Sets the signed-in user's RBAC permissions as a Grafana with RBAC sends them in boot data. */
export function setUserPermissions(permissions: Record<string, boolean>): void {
  config.bootData.user = { ...config.bootData.user, permissions };
}

export function currentSearch(): URLSearchParams {
  return new URLSearchParams(locationService.getLocation().search);
}
