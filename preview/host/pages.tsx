// Core pages around the plugin: AppRootPage (route /a/:pluginId/*) and the plugin details page with the app's
// config tabs (route /plugins/:pluginId), modelled on grafana/grafana public/app/features/plugins/components/AppRootPage.tsx
// and features/plugins/admin/pages/PluginDetails.tsx (reduced to what a plugin can observe).
import { type AppPlugin, PluginContextProvider, locationUtil } from '@grafana/data';
import { LocationServiceProvider, hasPermission, locationSearchToObject, locationService } from '@grafana/runtime';
import { Alert, Tab, TabsBar } from '@grafana/ui';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { Route, Router, Routes, useLocation } from 'react-router';
import type { OrgRole } from './boot';

const ROLE_RANK: Record<OrgRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export function roleAtLeast(role: OrgRole, required: string | undefined): boolean {
  if (!required || !(required in ROLE_RANK)) {
    return true;
  }
  return ROLE_RANK[role] >= ROLE_RANK[required as OrgRole];
}

/** locationService's history (v4) drives a react-router v6 <Router>, as Grafana does through the v5-compat layer. */
export function HostRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [location, setLocation] = useState(history.location);
  useEffect(() => history.listen((loc: typeof history.location) => setLocation(loc)), [history]);
  return (
    <LocationServiceProvider service={locationService}>
      <Router navigator={history as never} location={location}>
        {children}
      </Router>
    </LocationServiceProvider>
  );
}

function AppRootPage({ plugin, role }: { plugin: AppPlugin; role: OrgRole }) {
  const location = useLocation();
  const query = useMemo(() => locationSearchToObject(location.search), [location.search]);
  const meta = plugin.meta;
  const Root = plugin.root;
  if (!meta.enabled) {
    return <Alert title="App not enabled" severity="warning" />;
  }
  // Core refuses a page whose include requires an RBAC action the user lacks, or (without an action) a higher role.
  const include = meta.includes?.find(
    (i) => i.type === 'page' && i.path && locationUtil.stripBaseFromUrl(i.path) === location.pathname,
  );
  if (include && (include.action ? !hasPermission(include.action) : !roleAtLeast(role, include.role))) {
    return <Alert title="Access denied" severity="error" data-testid="host-access-denied" />;
  }
  if (!Root) {
    return <Alert title="App has no root page" severity="error" />;
  }
  return (
    <PluginContextProvider meta={meta}>
      {/* Grafana's page frame pads the content; PluginPage renders only its children outside Grafana. */}
      <div style={{ padding: '16px 24px' }}>
        <Root
          meta={meta}
          basename={`/a/${meta.id}`}
          onNavChanged={() => {}}
          query={query as never}
          path={location.pathname}
        />
      </div>
    </PluginContextProvider>
  );
}

function PluginDetailsPage({ plugin, role }: { plugin: AppPlugin; role: OrgRole }) {
  const location = useLocation();
  const query = useMemo(() => locationSearchToObject(location.search), [location.search]);
  // The configuration tabs are only offered to org admins.
  if (role !== 'Admin') {
    return <Alert title="Only admins can configure this app" severity="info" data-testid="host-config-admin-only" />;
  }
  const pages = plugin.configPages ?? [];
  const active = pages.find((p) => p.id === query.page) ?? pages[0];
  return (
    <PluginContextProvider meta={plugin.meta}>
      <div style={{ padding: '16px 24px' }}>
        <h1>{plugin.meta.name}</h1>
        <TabsBar>
          {pages.map((p) => (
            <Tab
              key={p.id}
              label={p.title}
              icon={p.icon}
              active={p === active}
              onChangeTab={() => locationService.partial({ page: p.id })}
            />
          ))}
        </TabsBar>
        {active ? <active.body plugin={plugin} query={query as never} /> : <p>This app has no configuration page.</p>}
      </div>
    </PluginContextProvider>
  );
}

export function HostRoutes({ plugin, role }: { plugin: AppPlugin; role: OrgRole }) {
  return (
    <HostRouter>
      <Routes>
        <Route path="/a/:pluginId/*" element={<AppRootPage plugin={plugin} role={role} />} />
        <Route path="/plugins/:pluginId" element={<PluginDetailsPage plugin={plugin} role={role} />} />
        <Route path="*" element={<Alert title="Page not found (jobscope preview host)" severity="warning" />} />
      </Routes>
    </HostRouter>
  );
}
