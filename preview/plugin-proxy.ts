// /api/plugin-proxy/<id>/<path>: forwards to the service through the plugin.json route that matches, with the URL and
// header templates filled from the plugin settings, the way Grafana's plugin proxy does for an app without backend
// (pkg/api/pluginproxy/pluginproxy.go): route access by reqAction (RBAC from plugin.json `roles`) or reqRole, the
// browser's Cookie dropped, X-Grafana-Context set to the signed-in user (overwriting the browser's), then the route's
// headers.
import http from 'node:http';
import https from 'node:https';
import type { PluginRoute } from './plugin-dist';
import type { PluginSettingsStore } from './plugin-settings';
import { type TemplateData, interpolate } from './go-template';
import { type PluginPermission, type PluginRoleRegistration, PluginRoleError, hasRouteAction, userPermissions } from './rbac';
import { joinUrlFragments, matchRoute } from './route-match';
import { type PreviewUser, grafanaContextHeader } from './user';

export interface ProxyRecord {
  at: number;
  method: string;
  /** Path after /api/plugin-proxy/<id>/, with the query. */
  path: string;
  status: number;
  /** Where it went, when forwarded. */
  target: string | null;
  /** The signed-in user's login. */
  user: string;
  /** Which check refused it (403). */
  deniedBy?: 'reqAction' | 'reqRole';
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export interface PluginProxyOptions {
  pluginId: string;
  routes: PluginRoute[];
  /** plugin.json `roles`: where the user's RBAC permissions come from. */
  roles?: PluginRoleRegistration[];
  settings: PluginSettingsStore;
  /** The signed-in user (role and login), read per request. */
  user: () => PreviewUser;
  log: ProxyRecord[];
}

export function handlePluginProxy(req: http.IncomingMessage, res: http.ServerResponse, proxyPath: string, search: string, opts: PluginProxyOptions): void {
  const method = req.method ?? 'GET';
  const user = opts.user();
  const record: ProxyRecord = { at: Date.now(), method, path: proxyPath + search, status: 0, target: null, user: user.login };
  opts.log.push(record);
  const finish = (status: number) => {
    record.status = status;
  };

  let permissions: PluginPermission[];
  try {
    permissions = userPermissions(opts.pluginId, opts.roles, { orgRole: user.orgRole, isGrafanaAdmin: user.isGrafanaAdmin });
  } catch (e) {
    if (!(e instanceof PluginRoleError)) {
      throw e;
    }
    // Grafana would not have loaded the plugin at all.
    finish(500);
    sendJson(res, 500, { message: `invalid plugin.json roles: ${e.message}` });
    return;
  }
  const access = { role: user.orgRole, hasAction: (action: string) => hasRouteAction(opts.pluginId, action, permissions) };
  const decision = matchRoute(opts.routes, method, proxyPath, access);
  if (decision.kind === 'no-match') {
    finish(404);
    sendJson(res, 404, { message: 'plugin route match not found' });
    return;
  }
  if (decision.kind === 'denied') {
    // Grafana answers the same for reqAction and reqRole (writeJSONErr(403, "plugin proxy route access denied")).
    record.deniedBy = decision.by;
    finish(403);
    sendJson(res, 403, { message: 'plugin proxy route access denied' });
    return;
  }
  if (decision.kind === 'unsupported') {
    finish(500);
    sendJson(res, 500, { message: decision.reason });
    return;
  }

  const data: TemplateData = { JsonData: opts.settings.jsonData, SecureJsonData: opts.settings.secureJsonData };
  let target: URL;
  const headers: http.OutgoingHttpHeaders = {};
  try {
    target = new URL(interpolate(decision.route.url ?? '', data));
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new Error(`route url must be http(s): ${target.toString()}`);
    }
    for (const [name, value] of Object.entries(req.headers)) {
      // The user's Grafana credentials never go to the upstream; X-Grafana-User only comes from Grafana
      // (proxyutil.ApplyUserHeader deletes the browser's).
      if (!HOP_BY_HOP.includes(name) && !['cookie', 'authorization', 'host', 'x-grafana-user'].includes(name) && value !== undefined) {
        headers[name] = value;
      }
    }
    // Header.Set: whatever the browser sent under this name is replaced. Route headers come after, as in Grafana.
    headers['x-grafana-context'] = grafanaContextHeader(user);
    for (const h of decision.route.headers ?? []) {
      headers[h.name.toLowerCase()] = interpolate(h.content, data);
    }
  } catch (e) {
    finish(500);
    sendJson(res, 500, { message: `could not interpolate plugin route: ${(e as Error).message}` });
    return;
  }
  target.pathname = joinUrlFragments(target.pathname, decision.rest);
  target.search = search;
  record.target = target.toString();

  const upstream = (target.protocol === 'https:' ? https : http).request(target, { method, headers }, (up) => {
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(up.headers)) {
      if (!HOP_BY_HOP.includes(name) && name !== 'set-cookie' && value !== undefined) {
        out[name] = value;
      }
    }
    finish(up.statusCode ?? 502);
    res.writeHead(up.statusCode ?? 502, out);
    up.pipe(res);
  });
  upstream.setTimeout(30_000, () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('error', () => {
    // httputil.ReverseProxy answers 502 with an empty body when the upstream cannot be reached.
    finish(502);
    if (!res.headersSent) {
      res.writeHead(502);
    }
    res.end();
  });
  req.pipe(upstream);
}
