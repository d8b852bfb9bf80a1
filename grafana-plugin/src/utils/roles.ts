import { config } from '@grafana/runtime';
import { PLUGIN_ID } from '@jobscope/contract';

/**
 * The plugin's RBAC actions (plugin.json `roles` and the proxy routes' `reqAction` use the same strings). The one place
 * the UI decides what the signed-in user may do; the proxy enforces the same rule server-side.
 */
export const PLUGIN_ACTIONS = {
  /** See jobs, queues and the audit trail (`GET api/*`). Granted to Viewer. */
  jobsRead: `${PLUGIN_ID}.jobs:read`,
  /** Enqueue, retry, promote, cancel, remove (`POST api/jobs`, `POST api/jobs/*`). Granted to Editor. */
  jobsWrite: `${PLUGIN_ID}.jobs:write`,
  /** Pause, resume, retry-failed, clean (`POST api/queues/*`). Granted to Admin. */
  queuesWrite: `${PLUGIN_ID}.queues:write`,
} as const;

export type PluginAction = (typeof PLUGIN_ACTIONS)[keyof typeof PLUGIN_ACTIONS];

export type BasicRole = 'Viewer' | 'Editor' | 'Admin';

/** The basic role each action is granted to (plugin.json `grants`); also the fallback when RBAC is not available. */
export const ACTION_ROLE: Record<PluginAction, BasicRole> = {
  [PLUGIN_ACTIONS.jobsRead]: 'Viewer',
  [PLUGIN_ACTIONS.jobsWrite]: 'Editor',
  [PLUGIN_ACTIONS.queuesWrite]: 'Admin',
};

const RANK: Record<BasicRole, number> = { Viewer: 1, Editor: 2, Admin: 3 };

/**
 * The user's RBAC permissions from Grafana's boot data, or null when Grafana sent none. A real Grafana (with RBAC)
 * always lists many permissions for a signed-in user; an empty map (an older Grafana, a host page) means "no RBAC
 * information", so the org role decides.
 */
function rbacPermissions(): Record<string, boolean> | null {
  const permissions = config.bootData?.user?.permissions;
  return permissions && Object.keys(permissions).length > 0 ? permissions : null;
}

/** Org role check as the proxy's `reqRole` does it: Admin ⊃ Editor ⊃ Viewer, and Grafana server admins pass. */
function hasRole(required: BasicRole): boolean {
  const user = config.bootData?.user;
  if (!user) {
    return false;
  }
  if (user.isGrafanaAdmin === true) {
    return true;
  }
  const role = user.orgRole as string;
  return role in RANK && RANK[role as BasicRole] >= RANK[required];
}

/** Whether the signed-in user may do `action`: by RBAC permission when Grafana sent permissions, else by org role. */
export function hasPluginPermission(action: PluginAction): boolean {
  const permissions = rbacPermissions();
  if (permissions) {
    return permissions[action] === true;
  }
  return hasRole(ACTION_ROLE[action]);
}

/** Why a user without `action` cannot use a control, for its tooltip. */
export function missingPermissionText(action: PluginAction): string {
  return `Needs the ${ACTION_ROLE[action]} role`;
}
