// The HTML Grafana's index.html boils down to for a plugin: boot data first (so @grafana/runtime's config sees the
// user's role and theme when it initialises), then the host bundle, then SystemJS and its AMD extra.
import type { OrgRole } from './route-match';
import type { PreviewUser } from './user';

export type Theme = 'dark' | 'light';

export interface PageOptions {
  pluginId: string;
  user: PreviewUser;
  /** The user's RBAC permissions, action → true (what Grafana's index handler puts in bootData.user.permissions). */
  permissions: Record<string, boolean>;
  theme: Theme;
  origin: string;
  /** The Grafana version the host stands for (config.buildInfo.version): the one of the @grafana/runtime it bundles. */
  grafanaVersion: string;
}

function bootData(o: PageOptions): unknown {
  const u = o.user;
  return {
    settings: {
      appUrl: `${o.origin}/`,
      appSubUrl: '',
      buildInfo: { version: o.grafanaVersion, commit: 'jobscope-preview', env: 'production', edition: 'Open Source' },
      featureToggles: {},
      defaultDatasource: '',
      datasources: {},
      panels: {},
      apps: {},
    },
    user: {
      id: u.id,
      uid: u.uid,
      login: u.login,
      name: u.name,
      email: u.email,
      isSignedIn: true,
      orgId: u.orgId,
      orgName: u.orgName,
      orgRole: u.orgRole,
      isGrafanaAdmin: u.isGrafanaAdmin,
      theme: o.theme,
      lightTheme: o.theme === 'light',
      timezone: 'utc',
      weekStart: 'monday',
      locale: 'en-US',
      language: 'en-US',
      permissions: o.permissions,
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
}

/** JSON inside <script>: keep "</script>" and friends out. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export function renderPage(o: PageOptions): string {
  const boot: { pluginId: string; role: OrgRole; theme: Theme } = { pluginId: o.pluginId, role: o.user.orgRole, theme: o.theme };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<base href="/">
<title>Grafana (jobscope preview host)</title>
<link rel="stylesheet" href="/public/jobscope-host/host.css">
<script>window.grafanaBootData = ${scriptJson(bootData(o))};
window.__JOBSCOPE_HOST_BOOT__ = ${scriptJson(boot)};</script>
</head>
<body class="theme-${o.theme}">
<div id="root"></div>
<script src="/public/jobscope-host/host.js"></script>
<script src="/public/jobscope-host/system.min.js"></script>
<script src="/public/jobscope-host/amd.min.js"></script>
</body>
</html>
`;
}
