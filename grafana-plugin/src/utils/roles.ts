import { config } from '@grafana/runtime';

/** Editors and Admins of the org (and Grafana server admins) may enqueue jobs; Viewers only read. */
export function canRunJobs(): boolean {
  const user = config.bootData?.user;
  if (!user) {
    return false;
  }
  return user.isGrafanaAdmin === true || user.orgRole === 'Admin' || user.orgRole === 'Editor';
}
