// Route selection and access of Grafana's plugin proxy (grafana/grafana pkg/api/pluginproxy/pluginproxy.go):
// the first route whose method matches ("" and "*" match any) and whose cleaned path is a string prefix of the
// requested path wins; its reqRole is then checked (Admin > Editor > Viewer). No match → 404, role too low → 403.
import path from 'node:path';
import type { PluginRoute } from './plugin-dist';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';
const RANK: Record<OrgRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

export type RouteDecision =
  | { kind: 'forward'; route: PluginRoute; rest: string }
  | { kind: 'denied'; route: PluginRoute }
  | { kind: 'no-match' }
  | { kind: 'unsupported'; route: PluginRoute; reason: string };

/** util.CleanRelativePath: clean as an absolute path, then drop the leading slash. */
export function cleanRelativePath(p: string): string {
  // Go's path.Clean also drops a trailing slash.
  return path.posix.normalize(`/${p}`).replace(/^\/+/, '').replace(/\/+$/, '');
}

export function hasRole(role: OrgRole, required: string): boolean {
  if (!(required in RANK)) {
    return false; // an unknown reqRole never grants access
  }
  return RANK[role] >= RANK[required as OrgRole];
}

export function matchRoute(routes: PluginRoute[], method: string, proxyPath: string, role: OrgRole): RouteDecision {
  const requested = cleanRelativePath(proxyPath);
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== method) {
      continue;
    }
    const routePath = cleanRelativePath(route.path);
    if (!requested.startsWith(routePath)) {
      continue;
    }
    if (route.reqAction) {
      return { kind: 'unsupported', route, reason: 'reqAction (RBAC) routes are not reproduced by the preview proxy' };
    }
    if (route.reqRole && !hasRole(role, route.reqRole)) {
      return { kind: 'denied', route };
    }
    for (const key of ['body', 'urlParams', 'tokenAuth', 'jwtTokenAuth'] as const) {
      if (route[key] !== undefined) {
        return { kind: 'unsupported', route, reason: `route.${key} is not reproduced by the preview proxy` };
      }
    }
    return { kind: 'forward', route, rest: requested.slice(routePath.length) };
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
