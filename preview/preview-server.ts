// The preview server: a stand-in for the parts of Grafana's HTTP server a frontend-only app plugin touches.
// It serves the host page for app/plugin URLs, dist/ under /public/plugins/<id>/, plugin settings, and the plugin
// proxy driven by dist/plugin.json's routes. See tests/e2e/README.md for what is and is not reproduced.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureHostBundle, hostBundleDir } from './build-host';
import { type HostId, grafanaUiImg, grafanaVersion, hostSpec } from './hosts';
import { renderPage, type Theme } from './page';
import { PLUGIN_DIST, SYSTEMJS_DIST } from './paths';
import { ensurePluginDist, readPluginJson } from './plugin-dist';
import { type OpenExchange, type ProxyRecord, handlePluginProxy } from './plugin-proxy';
import { PluginSettingsStore } from './plugin-settings';
import { permissionsMap, userPermissions } from './rbac';
import { type OrgRole, hasRole } from './route-match';
import { serveFile } from './static-files';
import { type PreviewUser, previewUser } from './user';

export type { HostId, OrgRole, PreviewUser, ProxyRecord, Theme };

export interface PreviewServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Base URL of the jobscope service, stored as jsonData.serviceUrl. */
  serviceUrl: string;
  /** Stored as secureJsonData.apiToken. */
  apiToken?: string;
  /** The signed-in user's org role; defaults to Admin. */
  role?: OrgRole;
  /** The signed-in user's login (page boot data and X-Grafana-Context); defaults to the role in lower case. */
  login?: string;
  /** Default theme; a page URL's `?theme=light|dark` overrides it, as in Grafana. */
  theme?: Theme;
  /** Extra or replacement jsonData. */
  jsonData?: Record<string, unknown>;
  pluginDist?: string;
  /** Build grafana-plugin/dist when it is missing (default true); false fails with a hint instead. */
  buildPlugin?: boolean;
  /**
   * The plugin proxy holds every upstream body until it ends (a buffering proxy: a live stream never arrives, so the
   * plugin falls back to polling). Default: PREVIEW_PROXY_BUFFER=1 in the environment, else false (streams like
   * Grafana). Settable later through `proxyBuffer`.
   */
  proxyBuffer?: boolean;
  /**
   * The Grafana version the host page stands for (its shared modules: preview/hosts.ts). Default: PREVIEW_GRAFANA in
   * the environment, else 13.2.
   */
  grafana?: HostId;
  /** Serve the host with React's development build, which prints React's warnings to the console. Default false. */
  reactDev?: boolean;
}

export interface PreviewServer {
  url: string;
  pluginId: string;
  /** The Grafana version the host page stands for, e.g. `12.4` (`grafanaVersion`: the exact @grafana/runtime version). */
  grafana: HostId;
  grafanaVersion: string;
  /** Every request that reached /api/plugin-proxy/<id>/, in order. */
  proxyLog: ProxyRecord[];
  /** Requests under /api/ the preview does not serve (a plugin relying on more of Grafana shows up here). */
  unservedApi: string[];
  settings: PluginSettingsStore;
  role: OrgRole;
  /** Empty or undefined = the role in lower case. */
  login: string | undefined;
  /** The signed-in user as the page and the proxy see it now. */
  readonly user: PreviewUser;
  /** The user's RBAC permissions (action → true) from dist/plugin.json's roles, as in the page's boot data. */
  permissions(): Record<string, boolean>;
  /** Buffer whole upstream bodies (see the option); applies to requests from now on (`cutProxyConnections` for open ones). */
  proxyBuffer: boolean;
  /** Proxied exchanges whose client response is still open (e.g. live streams), oldest first. */
  openProxyRequests(): ProxyRecord[];
  /**
   * Destroys open proxied exchanges (client connection and upstream request), as a proxy restart would; all of them,
   * or those `which` picks. Returns how many were cut.
   */
  cutProxyConnections(which?: (r: ProxyRecord) => boolean): number;
  close(): Promise<void>;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

export async function startPreviewServer(options: PreviewServerOptions): Promise<PreviewServer> {
  const dist = options.pluginDist ?? PLUGIN_DIST;
  ensurePluginDist(dist, options.buildPlugin ?? true);
  const host = hostSpec(options.grafana);
  const reactDev = options.reactDev ?? false;
  await ensureHostBundle(host, reactDev);
  const hostOut = hostBundleDir(host, reactDev);
  const hostVersion = grafanaVersion(host);
  const uiImg = grafanaUiImg(host);
  const pluginJson = readPluginJson(dist);
  const id = pluginJson.id;
  const state: { role: OrgRole; login: string | undefined } = { role: options.role ?? 'Admin', login: options.login };
  const currentUser = () => previewUser(state.role, state.login);
  // plugin.json is re-read per request (a rebuilt dist applies without restarting; Grafana needs a restart).
  const permissionsOf = (json = readPluginJson(dist)) =>
    permissionsMap(userPermissions(id, json.roles, { orgRole: state.role, isGrafanaAdmin: currentUser().isGrafanaAdmin }));
  // Invalid roles fail here, as the plugin would fail to load in Grafana.
  permissionsOf(pluginJson);
  const settings = new PluginSettingsStore(pluginJson, {
    jsonData: { serviceUrl: options.serviceUrl, ...(options.jsonData ?? {}) },
    secureJsonData: options.apiToken ? { apiToken: options.apiToken } : {},
  });
  const proxyLog: ProxyRecord[] = [];
  const openExchanges = new Set<OpenExchange>();
  let proxyBuffer = options.proxyBuffer ?? process.env.PREVIEW_PROXY_BUFFER === '1';
  const unservedApi: string[] = [];
  const defaultTheme: Theme = options.theme ?? 'dark';
  let origin = '';

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://preview.invalid');
    const p = url.pathname;
    const method = req.method ?? 'GET';

    const proxyPrefix = `/api/plugin-proxy/${id}/`;
    if (p.startsWith(proxyPrefix)) {
      // Re-read plugin.json so a rebuilt dist's routes apply without restarting (Grafana needs a restart; we are kinder).
      const json = readPluginJson(dist);
      handlePluginProxy(req, res, p.slice(proxyPrefix.length), url.search, {
        pluginId: id,
        routes: json.routes ?? [],
        roles: json.roles,
        settings,
        user: currentUser,
        log: proxyLog,
        buffer: () => proxyBuffer,
        open: openExchanges,
      });
      return;
    }
    if (p === `/api/plugins/${id}/settings`) {
      if (method === 'GET') {
        sendJson(res, 200, settings.meta());
        return;
      }
      if (method === 'POST') {
        if (!hasRole(state.role, 'Admin')) {
          sendJson(res, 403, { message: 'Permission denied' });
          return;
        }
        try {
          settings.update((await readJsonBody(req)) as never);
        } catch {
          sendJson(res, 400, { message: 'bad request data' });
          return;
        }
        sendJson(res, 200, { message: 'Plugin settings updated' });
        return;
      }
    }
    if (p.startsWith('/api/')) {
      unservedApi.push(`${method} ${p}${url.search}`);
      sendJson(res, 404, { message: 'Not found (not reproduced by the jobscope preview host)' });
      return;
    }
    if (p.startsWith(`/public/plugins/${id}/`)) {
      if (!serveFile(res, dist, p.slice(`/public/plugins/${id}/`.length))) {
        sendJson(res, 404, { message: 'Plugin file not found' });
      }
      return;
    }
    if (p.startsWith('/public/jobscope-host/')) {
      const rel = p.slice('/public/jobscope-host/'.length);
      const served = rel === 'system.min.js' || rel === 'amd.min.js'
        ? serveFile(res, SYSTEMJS_DIST, rel === 'amd.min.js' ? 'extras/amd.min.js' : rel)
        : serveFile(res, hostOut, rel);
      if (!served) {
        res.writeHead(404);
        res.end();
      }
      return;
    }
    if (p.startsWith('/public/build/img/')) {
      if (!serveFile(res, uiImg, p.slice('/public/build/img/'.length))) {
        res.writeHead(404);
        res.end();
      }
      return;
    }
    if (p === '/' || p === '') {
      res.writeHead(302, { location: `/a/${id}` });
      res.end();
      return;
    }
    if (method !== 'GET' || p.startsWith('/public/')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const themeParam = url.searchParams.get('theme');
    const theme: Theme = themeParam === 'light' || themeParam === 'dark' ? themeParam : defaultTheme;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(renderPage({ pluginId: id, user: currentUser(), permissions: permissionsOf(), theme, origin, grafanaVersion: hostVersion }));
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { message: String(e) });
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  origin = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: origin,
    pluginId: id,
    grafana: host.id,
    grafanaVersion: hostVersion,
    proxyLog,
    unservedApi,
    settings,
    get role() {
      return state.role;
    },
    set role(role: OrgRole) {
      state.role = role;
    },
    get login() {
      return state.login;
    },
    set login(login: string | undefined) {
      state.login = login;
    },
    get user() {
      return currentUser();
    },
    permissions: () => permissionsOf(),
    get proxyBuffer() {
      return proxyBuffer;
    },
    set proxyBuffer(on: boolean) {
      proxyBuffer = on;
    },
    openProxyRequests: () => [...openExchanges].map((e) => e.record).sort((a, b) => a.at - b.at),
    cutProxyConnections: (which = () => true) => {
      const cut = [...openExchanges].filter((e) => which(e.record));
      for (const e of cut) {
        e.cut();
      }
      return cut.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const e of openExchanges) {
          e.cut();
        }
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
