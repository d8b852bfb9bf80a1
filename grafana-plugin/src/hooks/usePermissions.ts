import { useMemo } from 'react';
import { hasPluginPermission, missingPermissionText, PLUGIN_ACTIONS, type PluginAction } from '../utils/roles';

export interface Permission {
  allowed: boolean;
  /** Tooltip for a disabled control: which role is needed; null when allowed. */
  reason: string | null;
}

export interface Permissions {
  jobsRead: Permission;
  /** Enqueue, retry, promote, cancel, remove. */
  jobsWrite: Permission;
  /** Pause, resume, retry failed, clean. */
  queuesWrite: Permission;
}

function decide(action: PluginAction): Permission {
  const allowed = hasPluginPermission(action);
  return { allowed, reason: allowed ? null : missingPermissionText(action) };
}

/** What the signed-in user may do in the plugin (RBAC permissions when Grafana has them, else the org role). */
export function usePermissions(): Permissions {
  // Boot data does not change while a page is shown; one decision per mount.
  return useMemo(
    () => ({
      jobsRead: decide(PLUGIN_ACTIONS.jobsRead),
      jobsWrite: decide(PLUGIN_ACTIONS.jobsWrite),
      queuesWrite: decide(PLUGIN_ACTIONS.queuesWrite),
    }),
    []
  );
}
