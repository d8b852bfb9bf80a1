import { setUserPermissions, setUserRole } from '../test/TestRouter';
import { hasPluginPermission, missingPermissionText, PLUGIN_ACTIONS } from './roles';

const { jobsRead, jobsWrite, queuesWrite } = PLUGIN_ACTIONS;

describe('hasPluginPermission', () => {
  it.each([
    ['Viewer', false, [true, false, false]],
    ['Editor', false, [true, true, false]],
    ['Admin', false, [true, true, true]],
    ['Viewer', true, [true, true, true]],
  ] as const)('without RBAC permissions, the org role decides (%s, Grafana admin %s)', (role, admin, expected) => {
    setUserRole(role, admin);
    expect([jobsRead, jobsWrite, queuesWrite].map(hasPluginPermission)).toEqual(expected);
  });

  it('with RBAC permissions in boot data, only the granted actions pass, whatever the role', () => {
    setUserRole('Admin');
    setUserPermissions({ [jobsRead]: true, [jobsWrite]: true, 'datasources:read': true });
    expect([jobsRead, jobsWrite, queuesWrite].map(hasPluginPermission)).toEqual([true, true, false]);
    setUserRole('Viewer');
    setUserPermissions({ [queuesWrite]: true });
    expect([jobsRead, jobsWrite, queuesWrite].map(hasPluginPermission)).toEqual([false, false, true]);
  });

  it('names the role needed', () => {
    expect(missingPermissionText(jobsWrite)).toBe('Needs the Editor role');
    expect(missingPermissionText(queuesWrite)).toBe('Needs the Admin role');
  });
});
