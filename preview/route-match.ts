// Route selection and access of Grafana's app plugin proxy (grafana/grafana pkg/api/pluginproxy/pluginproxy.go):
// the first route whose method matches ("" and "*" match any) and whose path matches in Grafana's router tree wins
// (segments equal, `:name` takes one segment, a trailing `*` takes the rest, which is appended to the route URL;
// without `*` only the exact path matches). Access is then `hasAccessToRoute`: a `reqAction` is an RBAC check (see
// rbac.ts) and wins over `reqRole`; otherwise a valid reqRole is checked (Admin > Editor > Viewer) and an invalid one
// is no check; neither → any signed-in user, as in Grafana. No match → 404, no access → 403.
import path from 'node:path';
import type { PluginRoute } from './plugin-dist';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';
const RANK: Record<OrgRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export type RouteDecision =
  | { kind: 'forward'; route: PluginRoute; rest: string }
  | { kind: 'denied'; route: PluginRoute; by: 'reqAction' | 'reqRole' }
  | { kind: 'no-match' }
  | { kind: 'unsupported'; route: PluginRoute; reason: string };

/** util.CleanRelativePath: clean as an absolute path, then drop the leading slash. */
export function cleanRelativePath(p: string): string {
  // Go's path.Clean also drops a trailing slash.
  return path.posix.normalize(`/${p}`).replace(/^\/+/, '').replace(/\/+$/, '');
}

function isRole(value: string): value is OrgRole {
  return value in RANK;
}

/** Grafana's `ReqRole.IsValid()`: an unknown role name is not checked at all. */
export function hasRole(role: OrgRole, required: string): boolean {
  return !isRole(required) || RANK[role] >= RANK[required];
}

/** Grafana's web.Tree match of one route pattern; the `*` part is the path appended to the route URL. */
export function matchPath(pattern: string, requested: string): { rest: string } | null {
  const want = cleanRelativePath(pattern).split('/').filter(Boolean);
  const got = requested.split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*' && i === want.length - 1) {
      return { rest: got.slice(i).join('/') };
    }
    if (i >= got.length || (!want[i].startsWith(':') && want[i] !== got[i])) {
      return null;
    }
  }
  return got.length === want.length ? { rest: '' } : null;
}

/** Who asks: the org role (for reqRole) and the RBAC check of an action (for reqAction). */
export interface RouteAccess {
  role: OrgRole;
  hasAction(action: string): boolean;
}

/** PluginProxy.hasAccessToRoute. */
export function routeAllows(route: PluginRoute, access: RouteAccess): { ok: true } | { ok: false; by: 'reqAction' | 'reqRole' } {
  if (route.reqAction) {
    return access.hasAction(route.reqAction) ? { ok: true } : { ok: false, by: 'reqAction' };
  }
  if (route.reqRole && !hasRole(access.role, route.reqRole)) {
    return { ok: false, by: 'reqRole' };
  }
  return { ok: true };
}

export function matchRoute(routes: PluginRoute[], method: string, proxyPath: string, access: RouteAccess): RouteDecision {
  const requested = cleanRelativePath(proxyPath);
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const matched = matchPath(route.path, requested);
    if (!matched) {
      continue;
    }
    const allowed = routeAllows(route, access);
    if (!allowed.ok) {
      return { kind: 'denied', route, by: allowed.by };
    }
    for (const key of ['body', 'urlParams', 'tokenAuth', 'jwtTokenAuth'] as const) {
      if (route[key] !== undefined) {
        return { kind: 'unsupported', route, reason: `route.${key} is not reproduced by the preview proxy` };
      }
    }
    return { kind: 'forward', route, rest: matched.rest };
  }
  return { kind: 'no-match' };
}

/** util.JoinURLFragments. */
export function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}
