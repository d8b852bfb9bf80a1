// RBAC of the preview's plugin proxy, as Grafana's hasAccessToRoute: permissions from plugin.json `roles` granted to
// basic roles (with Viewer ⊂ Editor ⊂ Admin inheritance), `reqAction` winning over `reqRole`, 403 without the action.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { PluginJson, PluginRoute } from './plugin-dist';
import { type ProxyRecord, handlePluginProxy } from './plugin-proxy';
import { PluginSettingsStore } from './plugin-settings';
import {
  type PluginRoleRegistration,
  PluginRoleError,
  builtInRolesWithParents,
  hasRouteAction,
  permissionsMap,
  userPermissions,
  validatePluginRoles,
} from './rbac';
import { type OrgRole, type RouteAccess, matchRoute, routeAllows } from './route-match';
import { previewUser } from './user';

const ID = 'acme-fixture-app';
const READ = `${ID}.things:read`;
const WRITE = `${ID}.things:write`;
const ADMIN = `${ID}.queues:write`;
const APP_ACCESS = { action: 'plugins.app:access', scope: `plugins:id:${ID}` };

/** A small plugin.json: three roles granted to the three basic roles, routes guarded by reqAction (and reqRole). */
const FIXTURE: Pick<PluginJson, 'id' | 'routes' | 'roles'> = {
  id: ID,
  roles: [
    { role: { name: 'Reader', permissions: [APP_ACCESS, { action: READ }] }, grants: ['Viewer'] },
    { role: { name: 'Writer', permissions: [{ action: WRITE }] }, grants: ['Editor'] },
    { role: { name: 'Queue admin', permissions: [{ action: ADMIN }] }, grants: ['Admin'] },
    { role: { name: 'Server admin', permissions: [{ action: `${ID}:server` }] }, grants: ['Grafana Admin'] },
  ],
  routes: [
    { path: 'api/things/*', method: 'POST', reqAction: WRITE, reqRole: 'Editor', url: '{{ .JsonData.serviceUrl }}/api/things' },
    { path: 'api/queues/*', method: 'POST', reqAction: ADMIN, reqRole: 'Admin', url: '{{ .JsonData.serviceUrl }}/api/queues' },
    // reqAction wins: a Viewer passes this one although reqRole says Admin.
    { path: 'api/reader-only', method: 'POST', reqAction: READ, reqRole: 'Admin', url: '{{ .JsonData.serviceUrl }}/api/reader-only' },
    { path: 'api/open', url: '{{ .JsonData.serviceUrl }}/api/open' },
    { path: 'api/*', method: 'GET', reqAction: READ, reqRole: 'Viewer', url: '{{ .JsonData.serviceUrl }}/api' },
  ],
};

const ROLES = FIXTURE.roles as PluginRoleRegistration[];
const ROUTES = FIXTURE.routes as PluginRoute[];

function accessOf(role: OrgRole, roles: PluginRoleRegistration[] = ROLES): RouteAccess {
  const u = previewUser(role);
  const perms = userPermissions(ID, roles, { orgRole: u.orgRole, isGrafanaAdmin: u.isGrafanaAdmin });
  return { role, hasAction: (a) => hasRouteAction(ID, a, perms) };
}

describe('permissions from plugin.json roles', () => {
  test('grants reach the granted basic role and its parents (Viewer ⊂ Editor ⊂ Admin)', () => {
    expect([...builtInRolesWithParents(['Viewer'])].sort()).toEqual(['Admin', 'Editor', 'Viewer']);
    expect([...builtInRolesWithParents(['Editor'])].sort()).toEqual(['Admin', 'Editor']);
    expect([...builtInRolesWithParents(['Admin'])]).toEqual(['Admin']);
    expect([...builtInRolesWithParents(['None'])].sort()).toEqual(['Admin', 'Editor', 'None', 'Viewer']);
    expect([...builtInRolesWithParents(['Grafana Admin'])]).toEqual(['Grafana Admin']);
  });

  test('each basic role gets what is granted to it and to the roles below it', () => {
    const map = (orgRole: OrgRole, isGrafanaAdmin = false) => permissionsMap(userPermissions(ID, ROLES, { orgRole, isGrafanaAdmin }));
    expect(map('Viewer')).toEqual({ 'plugins.app:access': true, [READ]: true });
    expect(map('Editor')).toEqual({ 'plugins.app:access': true, [READ]: true, [WRITE]: true });
    expect(map('Admin')).toEqual({ 'plugins.app:access': true, [READ]: true, [WRITE]: true, [ADMIN]: true });
    // "Grafana Admin" is a basic role of server admins only, and inherits nothing.
    expect(map('Admin', true)).toEqual({ 'plugins.app:access': true, [READ]: true, [WRITE]: true, [ADMIN]: true, [`${ID}:server`]: true });
    expect(map('Viewer', true)[`${ID}:server`]).toBe(true);
    expect(userPermissions(ID, undefined, { orgRole: 'Admin', isGrafanaAdmin: true })).toEqual([]);
  });

  test('roles Grafana would refuse are refused', () => {
    const bad = (r: PluginRoleRegistration) => () => validatePluginRoles(ID, [r]);
    expect(bad({ role: { name: 'x', permissions: [{ action: 'dashboards:read' }] }, grants: ['Viewer'] })).toThrow(PluginRoleError);
    expect(bad({ role: { name: 'x', permissions: [{ action: 'other-app.things:read' }] }, grants: ['Viewer'] })).toThrow(/must be plugins.app:access or start with/);
    expect(bad({ role: { name: 'x', permissions: [{ action: 'plugins.app:access', scope: 'plugins:id:other-app' }] } })).toThrow(/scope plugins:id:acme-fixture-app/);
    expect(bad({ role: { name: 'x', permissions: [{ action: READ }] }, grants: ['Owner'] })).toThrow(/unknown basic role "Owner"/);
    expect(bad({ role: { name: 'x', permissions: [{ action: `${ID}:anything` }, APP_ACCESS] }, grants: ['None'] })).not.toThrow();
  });

  test('reqAction is evaluated without scope, except the core plugin actions scoped to plugins:id:<id>', () => {
    expect(hasRouteAction(ID, READ, [{ action: READ, scope: 'whatever:1' }])).toBe(true);
    expect(hasRouteAction(ID, READ, [{ action: WRITE }])).toBe(false);
    expect(hasRouteAction(ID, 'plugins.app:access', [APP_ACCESS])).toBe(true);
    expect(hasRouteAction(ID, 'plugins.app:access', [{ action: 'plugins.app:access', scope: 'plugins:id:other' }])).toBe(false);
    expect(hasRouteAction(ID, 'plugins.app:access', [{ action: 'plugins.app:access', scope: 'plugins:*' }])).toBe(true);
    expect(hasRouteAction(ID, 'plugins.app:access', [{ action: 'plugins.app:access' }])).toBe(false);
  });
});

describe('route access (hasAccessToRoute)', () => {
  test('reqAction wins over reqRole, in both directions; neither → any signed-in user', () => {
    const [things, queues, readerOnly, open] = ROUTES;
    expect(routeAllows(things, accessOf('Viewer'))).toEqual({ ok: false, by: 'reqAction' });
    expect(routeAllows(things, accessOf('Editor'))).toEqual({ ok: true });
    expect(routeAllows(queues, accessOf('Editor'))).toEqual({ ok: false, by: 'reqAction' });
    expect(routeAllows(queues, accessOf('Admin'))).toEqual({ ok: true });
    expect(routeAllows(readerOnly, accessOf('Viewer'))).toEqual({ ok: true });
    expect(routeAllows(open, accessOf('Viewer'))).toEqual({ ok: true });
    // With no roles in plugin.json nobody holds a reqAction, whatever the org role (reqRole is not a fallback).
    expect(routeAllows(things, accessOf('Admin', []))).toEqual({ ok: false, by: 'reqAction' });
    // reqRole alone still works as before.
    expect(routeAllows({ path: 'x', reqRole: 'Editor' }, accessOf('Viewer'))).toEqual({ ok: false, by: 'reqRole' });
    expect(matchRoute(ROUTES, 'POST', 'api/things/a:b/retry', accessOf('Viewer'))).toMatchObject({ kind: 'denied', by: 'reqAction' });
    expect(matchRoute(ROUTES, 'POST', 'api/things/a:b/retry', accessOf('Editor'))).toMatchObject({ kind: 'forward', rest: 'a:b/retry' });
  });
});

describe('through the proxy, against a real upstream', () => {
  let upstream: http.Server;
  let proxy: http.Server;
  let proxyUrl: string;
  let role: OrgRole = 'Viewer';
  let roles: PluginRoleRegistration[] = ROLES;
  const seen: Array<{ method: string; url: string; login: string | null }> = [];
  const log: ProxyRecord[] = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      const ctx = req.headers['x-grafana-context'];
      seen.push({ method: req.method ?? '', url: req.url ?? '', login: ctx ? (JSON.parse(String(ctx)) as { Login: string }).Login : null });
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const settings = new PluginSettingsStore({ id: ID, type: 'app', name: 'Fixture' } as PluginJson, {
      jsonData: { serviceUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` },
      secureJsonData: {},
    });
    proxy = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      handlePluginProxy(req, res, u.pathname.replace(`/api/plugin-proxy/${ID}/`, ''), u.search, {
        pluginId: ID,
        routes: ROUTES,
        roles,
        settings,
        user: () => previewUser(role),
        log,
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/plugin-proxy/${ID}`;
  });

  afterAll(async () => {
    await new Promise((r) => proxy.close(r));
    await new Promise((r) => upstream.close(r));
  });

  beforeEach(() => {
    seen.length = 0;
    roles = ROLES;
  });

  const post = (p: string) => fetch(`${proxyUrl}/${p}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

  test('a Viewer reads, but each write route answers 403 JSON and never reaches the upstream', async () => {
    role = 'Viewer';
    expect((await fetch(`${proxyUrl}/api/things`)).status).toBe(200);
    for (const p of ['api/things/t1/retry', 'api/queues/q1/pause']) {
      const r = await post(p);
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect(await r.json()).toEqual({ message: 'plugin proxy route access denied' });
      expect(log.at(-1)).toMatchObject({ path: p, status: 403, deniedBy: 'reqAction', target: null, user: 'viewer' });
    }
    expect(seen).toEqual([{ method: 'GET', url: '/api/things', login: 'viewer' }]);
  });

  test('an Editor writes jobs but not queues; an Admin does both', async () => {
    role = 'Editor';
    expect((await post('api/things/t1/retry')).status).toBe(200);
    expect((await post('api/queues/q1/pause')).status).toBe(403);
    role = 'Admin';
    expect((await post('api/things/t1/retry')).status).toBe(200);
    expect((await post('api/queues/q1/pause')).status).toBe(200);
    expect(seen).toEqual([
      { method: 'POST', url: '/api/things/t1/retry', login: 'editor' },
      { method: 'POST', url: '/api/things/t1/retry', login: 'admin' },
      { method: 'POST', url: '/api/queues/q1/pause', login: 'admin' },
    ]);
  });

  test('invalid plugin.json roles answer 500 (Grafana would not load the plugin)', async () => {
    role = 'Admin';
    roles = [{ role: { name: 'bad', permissions: [{ action: 'dashboards:write' }] }, grants: ['Admin'] }];
    const r = await fetch(`${proxyUrl}/api/things`);
    expect(r.status).toBe(500);
    expect(((await r.json()) as { message: string }).message).toMatch(/invalid plugin.json roles/);
    expect(seen).toHaveLength(0);
  });
});

test("the plugin's own plugin.json roles are valid and give Viewer read, Editor job writes, Admin queue writes", () => {
  const src = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'grafana-plugin', 'src', 'plugin.json'), 'utf8')) as PluginJson;
  if (!src.roles) {
    // Not (yet) an RBAC plugin: nothing to check here.
    return;
  }
  const id = src.id;
  const map = (orgRole: OrgRole) => permissionsMap(userPermissions(id, src.roles, { orgRole, isGrafanaAdmin: orgRole === 'Admin' }));
  const has = (orgRole: OrgRole) => [`${id}.jobs:read`, `${id}.jobs:write`, `${id}.queues:write`].map((a) => map(orgRole)[a] === true);
  expect(has('Viewer')).toEqual([true, false, false]);
  expect(has('Editor')).toEqual([true, true, false]);
  expect(has('Admin')).toEqual([true, true, true]);
});
