// The HTML Grafana's index.html boils down to for a plugin: boot data first (so @grafana/runtime's config sees the
// user's role and theme when it initialises), then the host bundle, then SystemJS and its AMD extra.
import type { OrgRole } from './route-match';

/** The Grafana version the host stands for: the one of the shared @grafana/runtime it bundles. */
const GRAFANA_VERSION = (require('@grafana/runtime/package.json') as { version: string }).version;

export type Theme = 'dark' | 'light';

export interface PageOptions {
  pluginId: string;
  role: OrgRole;
  theme: Theme;
  origin: string;
}

function bootData(o: PageOptions): unknown {
  const login = o.role.toLowerCase();
  return {
    settings: {
      appUrl: `${o.origin}/`,
      appSubUrl: '',
      buildInfo: { version: GRAFANA_VERSION, commit: 'jobscope-preview', env: 'production', edition: 'Open Source' },
      featureToggles: {},
      defaultDatasource: '',
      datasources: {},
      panels: {},
      apps: {},
    },
    user: {
      id: 1,
      uid: `preview-${login}`,
      login,
      name: `Preview ${o.role}`,
      email: `${login}@example.invalid`,
      isSignedIn: true,
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: o.role,
      isGrafanaAdmin: o.role === 'Admin',
      theme: o.theme,
      lightTheme: o.theme === 'light',
      timezone: 'utc',
      weekStart: 'monday',
      locale: 'en-US',
      language: 'en-US',
      permissions: {},
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
  const boot = { pluginId: o.pluginId, role: o.role, theme: o.theme };
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
