// /api/plugin-proxy/<id>/<path>: forwards to the service through the plugin.json route that matches, with the URL and
// header templates filled from the plugin settings, the way Grafana's plugin proxy does for an app without backend
// (pkg/api/pluginproxy/pluginproxy.go): route access by reqAction (RBAC from plugin.json `roles`) or reqRole, the
// browser's Cookie dropped, X-Grafana-Context set to the signed-in user (overwriting the browser's), then the route's
// headers.
//
// Streaming, as Grafana's (Go's httputil.ReverseProxy, which flushes `text/event-stream` after every write; Grafana
// skips gzip on plugin-proxy paths and sets no response timeout for app routes): the response's headers are flushed as
// soon as the upstream's arrive, each chunk is written as it comes (nothing here compresses or collects it), nothing
// times the response out once it started, and a client that goes away closes the upstream request (so the service's
// live stream ends with it). `buffer` (PREVIEW_PROXY_BUFFER=1, or the preview server's runtime toggle) models a proxy
// that holds the whole upstream body until it ends: JSON replies still arrive (later), a Server-Sent Events stream
// never does.
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream';
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
  /** The upstream answered `text/event-stream`. */
  eventStream?: boolean;
  /** Forwarded while the proxy was buffering whole bodies. */
  buffered?: boolean;
  /** Body bytes written to the client so far. */
  bytesOut: number;
  /** When the client's response ended or its connection closed (null: still open). */
  closedAt: number | null;
  /** When the upstream request was finished or closed (null: still open, or never made). */
  upstreamClosedAt: number | null;
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
  /** Hold each upstream body until it ends (read per request; default false = stream like Grafana). */
  buffer?: () => boolean;
  /** Every forwarded exchange still open registers here (to be cut by the preview server); removed when closed. */
  open?: Set<OpenExchange>;
}

/** A forwarded request whose client response has not closed yet. */
export interface OpenExchange {
  record: ProxyRecord;
  /** Destroys the client connection and the upstream request, as a proxy restart would. */
  cut(): void;
}

export function handlePluginProxy(req: http.IncomingMessage, res: http.ServerResponse, proxyPath: string, search: string, opts: PluginProxyOptions): void {
  const method = req.method ?? 'GET';
  const user = opts.user();
  const record: ProxyRecord = {
    at: Date.now(),
    method,
    path: proxyPath + search,
    status: 0,
    target: null,
    user: user.login,
    bytesOut: 0,
    closedAt: null,
    upstreamClosedAt: null,
  };
  opts.log.push(record);
  res.once('close', () => {
    record.closedAt = Date.now();
  });
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

  const buffer = opts.buffer?.() ?? false;
  if (buffer) {
    record.buffered = true;
  }
  let upstreamResponse: http.IncomingMessage | null = null;
  const upstream = (target.protocol === 'https:' ? https : http).request(target, { method, headers }, (up) => {
    upstreamResponse = up;
    // Grafana sets no response timeout for app routes: once the upstream answered, nothing here cuts it.
    upstream.setTimeout(0);
    const out: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(up.headers)) {
      if (!HOP_BY_HOP.includes(name) && name !== 'set-cookie' && value !== undefined) {
        out[name] = value;
      }
    }
    const status = up.statusCode ?? 502;
    record.eventStream = String(up.headers['content-type'] ?? '').toLowerCase().startsWith('text/event-stream');
    finish(status);
    if (buffer) {
      // A buffering proxy: nothing reaches the client before the upstream body ended.
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        if (res.destroyed) {
          return;
        }
        const body = Buffer.concat(chunks);
        out['content-length'] = body.length;
        res.writeHead(status, out);
        record.bytesOut += body.length;
        res.end(body);
      });
      up.on('error', () => res.destroy());
      up.on('aborted', () => res.destroy());
      return;
    }
    res.writeHead(status, out);
    // Headers now, not with the first body chunk (Go's proxy flushes an event stream at once).
    res.flushHeaders();
    up.on('data', (c: Buffer) => {
      record.bytesOut += c.length;
    });
    // pipeline: each chunk is written as it arrives; an upstream that breaks destroys the client's response, and a
    // client that goes away destroys the upstream response (and with it the upstream connection).
    pipeline(up, res, () => undefined);
  });
  // Only until the upstream answers (a dead service must not hang the page forever); see setTimeout(0) above.
  upstream.setTimeout(30_000, () => upstream.destroy(new Error('upstream timeout')));
  upstream.on('close', () => {
    record.upstreamClosedAt = Date.now();
  });
  upstream.on('error', () => {
    // httputil.ReverseProxy answers 502 with an empty body when the upstream cannot be reached.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    finish(502);
    res.writeHead(502);
    res.end();
  });
  const exchange: OpenExchange = {
    record,
    cut: () => {
      if (!(upstreamResponse?.complete ?? false)) {
        upstream.destroy();
      }
      res.destroy();
    },
  };
  opts.open?.add(exchange);
  // The client went away (or its response ended): the upstream request goes too, whatever state it is in.
  // (A finished upstream response is left alone: its keep-alive socket may already serve another request.)
  res.once('close', () => {
    opts.open?.delete(exchange);
    if (!upstream.destroyed && !(upstreamResponse?.complete ?? false)) {
      upstream.destroy();
    }
  });
  req.pipe(upstream);
}
