// The preview's one signed-in user, seen by the page (grafanaBootData.user) and by the upstream (X-Grafana-Context,
// the JSON of Grafana's user.SignedInUser that the plugin proxy always sets).
import type { OrgRole } from './route-match';

export interface PreviewUser {
  id: number;
  uid: string;
  login: string;
  name: string;
  email: string;
  orgId: number;
  orgName: string;
  orgRole: OrgRole;
  isGrafanaAdmin: boolean;
}

/** Login defaults to the role in lower case (`viewer`, `editor`, `admin`); the org admin is also the server admin. */
export function previewUser(role: OrgRole, login?: string): PreviewUser {
  const l = login && login.length > 0 ? login : role.toLowerCase();
  return {
    id: 1,
    uid: `preview-${l}`,
    login: l,
    name: `Preview ${role}`,
    email: `${l}@example.invalid`,
    orgId: 1,
    orgName: 'Main Org.',
    orgRole: role,
    isGrafanaAdmin: role === 'Admin',
  };
}

/**
 * `json.Marshal(*user.SignedInUser)` as Grafana sends it in X-Grafana-Context: exported Go field names, `Permissions`
 * and the ID token omitted (`json:"-"`). Fields a preview cannot know are their zero values.
 */
export function grafanaContextHeader(u: PreviewUser): string {
  return JSON.stringify({
    UserID: u.id,
    UserUID: u.uid,
    OrgID: u.orgId,
    OrgName: u.orgName,
    OrgRole: u.orgRole,
    Login: u.login,
    Name: u.name,
    Email: u.email,
    EmailVerified: false,
    AuthID: '',
    AuthenticatedBy: '',
    ApiKeyID: 0,
    IsServiceAccount: false,
    IsGrafanaAdmin: u.isGrafanaAdmin,
    IsAnonymous: false,
    IsDisabled: false,
    HelpFlags1: 0,
    LastSeenAt: '0001-01-01T00:00:00Z',
    Teams: [],
  });
}
