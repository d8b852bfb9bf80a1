// The preview's plugin proxy against a real upstream HTTP server: route choice by method and Grafana's route-tree path match, reqRole,
// URL/header templates from jsonData/secureJsonData, path joining, query pass-through, 403/404/502, and X-Grafana-Context.
// reqAction (RBAC) has its own file: plugin-proxy-rbac.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { interpolate } from './go-template';
import type { PluginJson, PluginRoute } from './plugin-dist';
import { type ProxyRecord, handlePluginProxy } from './plugin-proxy';
import { PluginSettingsStore } from './plugin-settings';
import { type OrgRole, type RouteAccess, cleanRelativePath, joinUrlFragments, matchRoute } from './route-match';
import { previewUser } from './user';

/** reqRole-only routes: no RBAC action held. */
const byRole = (role: OrgRole): RouteAccess => ({ role, hasAction: () => false });

const ROUTES: PluginRoute[] = [
  {
    path: 'api/*',
    method: 'GET',
    reqRole: 'Viewer',
    url: '{{ .JsonData.serviceUrl }}/api',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
  {
    path: 'api/*',
    method: 'POST',
    reqRole: 'Editor',
    url: '{{ .JsonData.serviceUrl }}/api',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
];

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  cookie?: string;
  body: string;
  context?: string;
  user?: string;
}

let upstream: http.Server;
let upstreamUrl: string;
let proxy: http.Server;
let proxyUrl: string;
const seen: Seen[] = [];
const log: ProxyRecord[] = [];
let role: OrgRole = 'Viewer';
let login: string | undefined;
const settings = new PluginSettingsStore({ id: 'jobscope-jobs-app', type: 'app', name: 'Jobs' } as PluginJson, {
  jsonData: {},
  secureJsonData: { apiToken: 'tok-123456' },
});

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        body,
        context: req.headers['x-grafana-context'] as string | undefined,
        user: req.headers['x-grafana-user'] as string | undefined,
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  settings.jsonData = { serviceUrl: upstreamUrl };
  proxy = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    handlePluginProxy(req, res, u.pathname.replace('/api/plugin-proxy/jobscope-jobs-app/', ''), u.search, {
      pluginId: 'jobscope-jobs-app',
      routes: ROUTES,
      settings,
      user: () => previewUser(role, login),
      log,
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api/plugin-proxy/jobscope-jobs-app`;
});

afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await new Promise((r) => upstream.close(r));
});

beforeEach(() => {
  seen.length = 0;
  role = 'Viewer';
  login = undefined;
});

/** What the upstream got minus X-Grafana-Context (checked by its own test). */
const withoutContext = (s: Seen[]) => s.map(({ context: _c, ...rest }) => rest);

test('GET as Viewer is forwarded to <serviceUrl>/api/... with the query and the templated bearer token', async () => {
  const r = await fetch(`${proxyUrl}/api/settings/jobs/status?limit=5&queue=email`, { headers: { cookie: 'grafana_session=abc', authorization: 'Basic dXNlcg==' } });
  expect(r.status).toBe(201);
  expect(r.headers.get('x-upstream')).toBe('yes');
  expect(withoutContext(seen)).toEqual([
    { method: 'GET', url: '/api/settings/jobs/status?limit=5&queue=email', authorization: 'Bearer tok-123456', cookie: undefined, body: '', user: undefined },
  ]);
  expect(log.at(-1)).toMatchObject({ method: 'GET', status: 201, target: `${upstreamUrl}/api/settings/jobs/status?limit=5&queue=email`, user: 'viewer' });
});

test('POST as Viewer is refused with 403 JSON and never reaches the upstream', async () => {
  const r = await fetch(`${proxyUrl}/api/jobs`, { method: 'POST', body: '{"queue":"q","name":"n"}', headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(403);
  expect(await r.json()).toEqual({ message: 'plugin proxy route access denied' });
  expect(seen).toHaveLength(0);
  expect(log.at(-1)).toMatchObject({ status: 403, deniedBy: 'reqRole', target: null });
});

test('POST as Editor is forwarded with its body', async () => {
  role = 'Editor';
  const r = await fetch(`${proxyUrl}/api/jobs`, { method: 'POST', body: '{"queue":"q","name":"n"}', headers: { 'content-type': 'application/json' } });
  expect(r.status).toBe(201);
  expect(withoutContext(seen)).toEqual([
    { method: 'POST', url: '/api/jobs', authorization: 'Bearer tok-123456', cookie: undefined, body: '{"queue":"q","name":"n"}', user: undefined },
  ]);
});

test("X-Grafana-Context is the signed-in user's JSON and replaces whatever the browser sent; X-Grafana-User is dropped", async () => {
  role = 'Editor';
  login = 'alice';
  const forged = JSON.stringify({ Login: 'mallory', OrgRole: 'Admin', IsGrafanaAdmin: true });
  const r = await fetch(`${proxyUrl}/api/jobs`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json', 'X-Grafana-Context': forged, 'X-Grafana-User': 'mallory' },
  });
  expect(r.status).toBe(201);
  expect(seen).toHaveLength(1);
  expect(seen[0].user).toBeUndefined();
  const context = JSON.parse(seen[0].context ?? 'null') as Record<string, unknown>;
  expect(context).toMatchObject({ Login: 'alice', OrgRole: 'Editor', OrgID: 1, UserUID: 'preview-alice', Email: 'alice@example.invalid', IsGrafanaAdmin: false, Teams: [] });
  expect(typeof context.Name).toBe('string');

  // Without a configured login it is the role's name, on GETs too.
  role = 'Viewer';
  login = undefined;
  seen.length = 0;
  await fetch(`${proxyUrl}/api/health`, { headers: { 'x-grafana-context': forged } });
  expect(JSON.parse(seen[0].context ?? 'null')).toMatchObject({ Login: 'viewer', OrgRole: 'Viewer' });
});

test('no route for the path or the method gives 404 JSON', async () => {
  role = 'Admin';
  const wrongPath = await fetch(`${proxyUrl}/metrics`);
  expect(wrongPath.status).toBe(404);
  expect(await wrongPath.json()).toEqual({ message: 'plugin route match not found' });
  const wrongMethod = await fetch(`${proxyUrl}/api/jobs`, { method: 'DELETE' });
  expect(wrongMethod.status).toBe(404);
  expect(seen).toHaveLength(0);
});

test('an unreachable upstream answers 502', async () => {
  const saved = settings.jsonData;
  settings.jsonData = { serviceUrl: 'http://127.0.0.1:9' };
  try {
    const r = await fetch(`${proxyUrl}/api/health`);
    expect(r.status).toBe(502);
  } finally {
    settings.jsonData = saved;
  }
});

test('route matching follows Grafana: first method match, route-tree path, invalid role unchecked', () => {
  expect(matchRoute(ROUTES, 'GET', 'api/x/../health', byRole('Viewer'))).toMatchObject({ kind: 'forward', rest: 'health' });
  expect(matchRoute(ROUTES, 'PUT', 'api/jobs', byRole('Admin'))).toEqual({ kind: 'no-match' });
  // Without `*` a route matches its exact path only (Grafana answers "plugin route match not found" otherwise).
  expect(matchRoute([{ path: 'api', url: 'http://x' }], 'GET', 'api/settings/jobs/status', byRole('Viewer'))).toEqual({ kind: 'no-match' });
  expect(matchRoute([{ path: 'api', url: 'http://x' }], 'GET', 'api', byRole('Viewer'))).toMatchObject({ kind: 'forward', rest: '' });
  expect(matchRoute([{ path: 'apis/*', url: 'http://x' }], 'GET', 'api/x', byRole('Viewer'))).toEqual({ kind: 'no-match' });
  expect(matchRoute([{ path: 'api/*', reqRole: 'Owner', url: 'http://x' }], 'GET', 'api/a', byRole('Viewer'))).toMatchObject({ kind: 'forward' });
  expect(matchRoute([{ path: 'api/*', method: '*', url: 'http://x' }], 'PATCH', 'api/a', byRole('Viewer'))).toMatchObject({ kind: 'forward' });
  expect(cleanRelativePath('/a//b/./c/')).toBe('a/b/c');
  expect(joinUrlFragments('/api', '/settings')).toBe('/api/settings');
  expect(joinUrlFragments('/api/', '/settings')).toBe('/api/settings');
  expect(joinUrlFragments('/api', '')).toBe('/api');
});

test('templates: known fields, Go "<no value>" for missing keys, anything else refused', () => {
  const data = { JsonData: { serviceUrl: 'http://s' }, SecureJsonData: { apiToken: 't' } };
  expect(interpolate('{{ .JsonData.serviceUrl }}/api', data)).toBe('http://s/api');
  expect(interpolate('Bearer {{.SecureJsonData.apiToken}}', data)).toBe('Bearer t');
  expect(interpolate('Bearer {{ .SecureJsonData.other }}', data)).toBe('Bearer <no value>');
  expect(() => interpolate('{{ .URL }}', data)).toThrow(/unsupported template action/);
});
