// Entry of the preview host page. Loads grafana-plugin/dist/module.js the way Grafana core does:
// shared modules registered in SystemJS, module.js imported through SystemJS's AMD extra, plugin.init(meta),
// then the app rendered under /a/:pluginId/* with the plugin context, the theme and a fetch-based BackendSrv.
// SystemJS and its AMD extra are separate <script>s loaded AFTER this bundle: the AMD extra defines a global
// `define`, and UMD code inside this bundle (lodash) would register through it instead of module.exports.
import type { AppPlugin } from '@grafana/data';
import { config, locationService, setBackendSrv, setCurrentUser, setTemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { version as reactVersion } from 'react';
import { createRoot } from 'react-dom/client';
import { type ErrorAlert, createBackendSrv } from './backend-srv';
import { fetchPluginMeta, readBoot } from './boot';
import { openLink, resolveAddedLinks } from './extensions';
import { interceptLinkClicks } from './link-clicks';
import { HostRoutes } from './pages';
import { registerSharedModules, systemJS } from './shared-modules';
import { createTemplateSrv } from './template-srv';
import { type Toast, ToastList, installAppEvents } from './toasts';

/** What tests (and curious humans) can reach from the page: `window.__jobscopeHost`. */
interface HostHandle {
  ready: boolean;
  error: string | null;
  errorAlerts: ErrorAlert[];
  /** Every toast shown through appEvents (alert-success/-warning/-error/-info), in order; kept after they vanish. */
  toasts: Toast[];
  theme: string;
  role: string;
  login: string;
  /** bootData.user.permissions: what `hasPermission()` of @grafana/runtime answers from. */
  permissions: Record<string, boolean>;
  /** The versions this host stands for: config.buildInfo.version and the shared React's version. */
  grafanaVersion: string;
  reactVersion: string;
  /** The plugin's links for any extension point, as Grafana's extension registry resolves them for `context`. */
  addedLinks(extensionPointId: string, context: object): Array<{ title: string; path: string }>;
  /** Follows link #index of `addedLinks(extensionPointId, context)`; returns its path. */
  openAddedLink(extensionPointId: string, context: object, index?: number): string;
  /** Client-side navigation, as Grafana's nav menu and links do. */
  navigate(path: string): void;
}

const handle: HostHandle = {
  ready: false,
  error: null,
  errorAlerts: [],
  toasts: [],
  theme: '',
  role: '',
  login: '',
  permissions: {},
  grafanaVersion: config.buildInfo.version,
  reactVersion,
  addedLinks: () => {
    throw new Error('plugin not loaded yet');
  },
  openAddedLink: () => {
    throw new Error('plugin not loaded yet');
  },
  navigate: (path) => locationService.push(path),
};
(window as unknown as { __jobscopeHost: HostHandle }).__jobscopeHost = handle;

setBackendSrv(
  createBackendSrv((alert) => {
    handle.errorAlerts.push(alert);
    console.warn(`[host] error alert Grafana would show: ${alert.status} ${alert.url}: ${alert.message}`);
  })
);

setTemplateSrv(createTemplateSrv());
const toastSource = installAppEvents((toast) => handle.toasts.push(toast));
// Grafana core (app.ts) does setCurrentUser(contextSrv.user) at start-up; contextSrv.user is built from
// bootData.user, so `hasPermission(action)` of @grafana/runtime reads bootData.user.permissions.
setCurrentUser(config.bootData.user);
document.addEventListener('click', interceptLinkClicks);

async function main(): Promise<void> {
  const boot = readBoot();
  handle.theme = config.theme2.colors.mode;
  handle.role = String(config.bootData.user.orgRole);
  handle.login = config.bootData.user.login;
  handle.permissions = { ...(config.bootData.user.permissions ?? {}) };
  const system = systemJS();
  registerSharedModules(system);
  const meta = await fetchPluginMeta(boot.pluginId);
  const exports = (await system.import(`/${meta.module}`)) as { plugin?: AppPlugin };
  if (!exports.plugin) {
    throw new Error(`${meta.module} does not export "plugin"`);
  }
  const plugin = exports.plugin;
  plugin.init(meta);
  plugin.meta = meta;

  handle.addedLinks = (extensionPointId, context) => resolveAddedLinks(plugin, meta.id, extensionPointId, context);
  handle.openAddedLink = (extensionPointId, context, index = 0) => {
    const link = handle.addedLinks(extensionPointId, context)[index];
    if (!link) {
      throw new Error(`no ${extensionPointId} link #${index} from ${meta.id}`);
    }
    openLink(link);
    return link.path;
  };

  createRoot(document.getElementById('root')!).render(
    <ThemeContext.Provider value={config.theme2}>
      <GlobalStyles />
      <HostRoutes plugin={plugin} role={boot.role} />
      <ToastList source={toastSource} />
    </ThemeContext.Provider>
  );
  handle.ready = true;
}

window.addEventListener('load', () => {
  main().catch((e: unknown) => {
    handle.error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    console.error('[host] failed to start:', e);
    const root = document.getElementById('root');
    if (root) {
      root.textContent = `jobscope preview host failed to start: ${handle.error}`;
    }
  });
});
