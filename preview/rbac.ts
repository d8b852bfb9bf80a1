// RBAC of an app plugin without a backend, as Grafana OSS evaluates it (grafana/grafana, checked in its source):
// - plugin.json `roles[]` are registered as fixed roles `plugins:<id>:<name>`; every permission's action must be
//   `plugins.app:access` (scoped exactly `plugins:id:<id>`) or start with `<id>.` / `<id>:`
//   (pluginsintegration/pluginaccesscontrol ValidatePluginRole), else the plugin's roles are refused;
// - a role's `grants` name basic roles; its permissions are added to those basic roles AND their parents
//   (accesscontrol.BuiltInRolesWithParents: Viewer → Editor → Admin, "None" → all three; "Grafana Admin" alone), so an
//   Admin also holds what is granted to Viewer and Editor;
// - a signed-in user's basic roles are its org role, plus "Grafana Admin" for a server admin (accesscontrol.GetOrgRoles);
// - a route's `reqAction` is evaluated without a scope (ac.EvalPermission(action)), except the core plugin actions
//   `plugins.app:access` and `plugins:write`, which need the scope `plugins:id:<id>` (GetPluginRouteEvaluator).
// Only the permissions the plugin itself declares are modelled: Grafana's own basic-role permissions (dashboards,
// data sources, …) are not, so a `reqAction` naming a core action other than the two above is always refused here.
import type { OrgRole } from './route-match';

export interface PluginPermission {
  action: string;
  scope?: string;
}

export interface PluginRoleRegistration {
  role: { name: string; description?: string; permissions?: PluginPermission[] };
  grants?: string[];
}

export const GRAFANA_ADMIN = 'Grafana Admin';
const APP_ACCESS = 'plugins.app:access';
const PLUGINS_WRITE = 'plugins:write';
const SCOPED_PLUGIN_ACTIONS = new Set([APP_ACCESS, PLUGINS_WRITE]);

/** org.RoleType.Parents(): the roles that include a role. */
const PARENTS: Record<string, string[]> = {
  None: ['Viewer', 'Editor', 'Admin'],
  Viewer: ['Editor', 'Admin'],
  Editor: ['Admin'],
  Admin: [],
};
const GRANTABLE = new Set([...Object.keys(PARENTS), GRAFANA_ADMIN]);

export class PluginRoleError extends Error {}

/** The basic roles a role registration's permissions end up in (accesscontrol.BuiltInRolesWithParents). */
export function builtInRolesWithParents(grants: string[]): Set<string> {
  const out = new Set<string>();
  for (const g of grants) {
    out.add(g);
    if (g !== GRAFANA_ADMIN) {
      for (const p of PARENTS[g] ?? []) {
        out.add(p);
      }
    }
  }
  return out;
}

/** Grafana refuses a plugin's roles when one breaks these rules (the plugin then does not load). */
export function validatePluginRoles(pluginId: string, roles: PluginRoleRegistration[]): void {
  for (const r of roles) {
    if (!r?.role?.name) {
      throw new PluginRoleError(`plugin ${pluginId}: a role has no name`);
    }
    for (const g of r.grants ?? []) {
      if (!GRANTABLE.has(g)) {
        throw new PluginRoleError(`plugin ${pluginId}: role "${r.role.name}" grants unknown basic role "${g}"`);
      }
    }
    for (const p of r.role.permissions ?? []) {
      const action = p?.action ?? '';
      if (action !== APP_ACCESS && !action.startsWith(`${pluginId}.`) && !action.startsWith(`${pluginId}:`)) {
        throw new PluginRoleError(
          `plugin ${pluginId}: role "${r.role.name}" action "${action}" must be ${APP_ACCESS} or start with "${pluginId}." or "${pluginId}:"`
        );
      }
      if (action === APP_ACCESS && p.scope !== `plugins:id:${pluginId}`) {
        throw new PluginRoleError(`plugin ${pluginId}: role "${r.role.name}" ${APP_ACCESS} must have scope plugins:id:${pluginId}, got ${p.scope ?? '(none)'}`);
      }
    }
  }
}

export interface PreviewIdentity {
  orgRole: OrgRole;
  isGrafanaAdmin: boolean;
}

/** accesscontrol.GetOrgRoles: the org role, plus "Grafana Admin" for a server admin. */
export function basicRolesOf(user: PreviewIdentity): string[] {
  return user.isGrafanaAdmin ? [user.orgRole, GRAFANA_ADMIN] : [user.orgRole];
}

/** The user's permissions from the plugin's roles (validated first; throws PluginRoleError like Grafana's loader). */
export function userPermissions(pluginId: string, roles: PluginRoleRegistration[] | undefined, user: PreviewIdentity): PluginPermission[] {
  const list = roles ?? [];
  validatePluginRoles(pluginId, list);
  const mine = basicRolesOf(user);
  const out: PluginPermission[] = [];
  for (const r of list) {
    const receivers = builtInRolesWithParents(r.grants ?? []);
    if (mine.some((b) => receivers.has(b))) {
      for (const p of r.role.permissions ?? []) {
        out.push(p.scope === undefined ? { action: p.action } : { action: p.action, scope: p.scope });
      }
    }
  }
  return out;
}

/** What Grafana puts in `bootData.user.permissions`: action → true (accesscontrol.BuildPermissionsMap). */
export function permissionsMap(perms: PluginPermission[]): Record<string, boolean> {
  const map: Record<string, boolean> = {};
  for (const p of perms) {
    map[p.action] = true;
  }
  return map;
}

/** A scope covers `wanted` when equal, `*`, or a `kind:*` / `kind:attr:*` wildcard prefix of it. */
function scopeCovers(scope: string, wanted: string): boolean {
  if (scope === '*' || scope === wanted) {
    return true;
  }
  return scope.endsWith(':*') && wanted.startsWith(scope.slice(0, -1));
}

/** GetPluginRouteEvaluator(pluginId, action).Evaluate(permissions). */
export function hasRouteAction(pluginId: string, action: string, perms: PluginPermission[]): boolean {
  if (SCOPED_PLUGIN_ACTIONS.has(action)) {
    const wanted = `plugins:id:${pluginId}`;
    return perms.some((p) => p.action === action && p.scope !== undefined && scopeCovers(p.scope, wanted));
  }
  return perms.some((p) => p.action === action);
}
