import React, { useLayoutEffect, useState, type ReactNode } from 'react';
import { Router, type Navigator } from 'react-router-dom';
import type { OrgRole } from '@grafana/data';
import { config, locationService } from '@grafana/runtime';

/**
 * A react-router v6 Router driven by Grafana's `locationService` history, as inside Grafana: `locationService.partial`
 * and `push` re-render the tree, and back/forward work (grafana/plugin-tools "TestRoutesProvider" pattern).
 */
export function TestRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useLayoutEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <Router navigator={history as unknown as Navigator} location={location}>
      {children}
    </Router>
  );
}

/** Sets the signed-in user's org role as Grafana's boot data would. */
export function setUserRole(orgRole: 'Admin' | 'Editor' | 'Viewer', isGrafanaAdmin = false): void {
  config.bootData.user = { ...config.bootData.user, orgRole: orgRole as OrgRole, isGrafanaAdmin };
}

export function currentSearch(): URLSearchParams {
  return new URLSearchParams(locationService.getLocation().search);
}
