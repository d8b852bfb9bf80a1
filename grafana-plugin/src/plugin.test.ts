import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { PLUGIN_ID } from '@jobscope/contract';
import pluginJson from './plugin.json';
import { ACTION_ROLE, PLUGIN_ACTIONS } from './utils/roles';

// The vendored schema sits in ../shared next to the repository (grafana/plugin-validator's copy); it is not in git.
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_PATH = path.join(REPO_ROOT, '..', 'shared', 'grafana', 'plugin.schema.json');
const haveSchema = fs.existsSync(SCHEMA_PATH);
if (!haveSchema) {
  console.warn(`plugin.json schema validation skipped: ${SCHEMA_PATH} not found`);
}

describe('plugin.json', () => {
  (haveSchema ? it : it.skip)('is valid against the plugin schema', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
    const ok = validate(pluginJson);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  const distPluginJson = path.join(__dirname, '..', 'dist', 'plugin.json');
  (haveSchema && fs.existsSync(distPluginJson) ? it : it.skip)(
    'the built dist/plugin.json is valid too (when built)',
    () => {
      const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
      addFormats(ajv);
      const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
      const built = JSON.parse(fs.readFileSync(distPluginJson, 'utf8'));
      expect(built.info.version).not.toContain('%');
      validate(built);
      expect(validate.errors ?? []).toEqual([]);
    }
  );

  (haveSchema ? it : it.skip)('the schema does catch a too-short link title (the check is live)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
    const broken = {
      ...pluginJson,
      extensions: { addedLinks: [{ ...pluginJson.extensions.addedLinks[0], title: 'Show jobs' }] },
    };
    expect(validate(broken)).toBe(false);
  });

  it('uses the contract plugin id and requires Grafana 12.4 (the floor the browser tests prove)', () => {
    expect(pluginJson.id).toBe(PLUGIN_ID);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0');
  });

  it('has the Settings page as default nav and the config page', () => {
    expect(pluginJson.includes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'page',
          name: 'Settings',
          path: '/a/%PLUGIN_ID%/settings',
          addToNav: true,
          defaultNav: true,
        }),
        expect.objectContaining({ type: 'page', path: '/plugins/%PLUGIN_ID%', role: 'Admin' }),
      ])
    );
  });

  it('includes the Jobs overview dashboard, and the file exists', () => {
    const dash = pluginJson.includes.find((i) => i.type === 'dashboard');
    expect(dash).toEqual({ type: 'dashboard', name: 'Jobs overview', path: 'dashboards/jobs-overview.json' });
    expect(fs.existsSync(path.join(__dirname, dash!.path))).toBe(true);
  });

  const auth = [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }];
  const READ = `${PLUGIN_ID}.jobs:read`;
  const JOBS_WRITE = `${PLUGIN_ID}.jobs:write`;
  const QUEUES_WRITE = `${PLUGIN_ID}.queues:write`;

  it('proxies reads (jobs:read), job writes (jobs:write) and queue writes (queues:write), token added server-side', () => {
    const url = (p: string) => `{{ .JsonData.serviceUrl }}${p}`;
    expect(pluginJson.routes).toEqual([
      // Grafana takes the first route whose method and path match, with its router tree: a path without `*` matches
      // only itself, `x/*` takes everything below x and appends it to the URL. The most specific routes come first.
      {
        path: 'api/jobs',
        method: 'POST',
        reqAction: JOBS_WRITE,
        reqRole: 'Editor',
        url: url('/api/jobs'),
        headers: auth,
      },
      {
        path: 'api/jobs/*',
        method: 'POST',
        reqAction: JOBS_WRITE,
        reqRole: 'Editor',
        url: url('/api/jobs'),
        headers: auth,
      },
      {
        path: 'api/queues/*',
        method: 'POST',
        reqAction: QUEUES_WRITE,
        reqRole: 'Admin',
        url: url('/api/queues'),
        headers: auth,
      },
      { path: 'api/*', method: 'GET', reqAction: READ, reqRole: 'Viewer', url: url('/api'), headers: auth },
    ]);
  });

  it('defines one role per action group, granted to Viewer, Editor and Admin, matching the UI actions', () => {
    const byAction = (action: string) =>
      pluginJson.roles.filter((r) => r.role.permissions.some((p) => p.action === action)).flatMap((r) => r.grants);
    expect(byAction(READ)).toEqual(['Viewer', 'Editor', 'Admin']);
    expect(byAction(JOBS_WRITE)).toEqual(['Editor']);
    expect(byAction(QUEUES_WRITE)).toEqual(['Admin']);
    for (const { role } of pluginJson.roles) {
      // Actions must start with the plugin id; plugins.app:access keeps the app reachable for a custom-role-only user.
      for (const p of role.permissions) {
        expect(p.action === 'plugins.app:access' || p.action.startsWith(`${PLUGIN_ID}.`)).toBe(true);
      }
    }
    expect(Object.values(PLUGIN_ACTIONS).sort()).toEqual([JOBS_WRITE, READ, QUEUES_WRITE].sort());
    expect(PLUGIN_ACTIONS.jobsRead).toBe(READ);
    for (const route of pluginJson.routes) {
      expect(ACTION_ROLE[route.reqAction as keyof typeof ACTION_ROLE]).toBe(route.reqRole);
    }
  });

  it('routes each call the plugin makes to the route of its action group, the way Grafana matches them', () => {
    const match = (method: string, p: string) =>
      pluginJson.routes.find((r) => (r.method === method || r.method === '*') && matchPath(r.path, p));
    expect(match('GET', 'api/settings/jobs/status')?.reqAction).toBe(READ);
    expect(match('GET', 'api/audit')?.reqAction).toBe(READ);
    expect(match('POST', 'api/jobs')?.reqAction).toBe(JOBS_WRITE);
    expect(match('POST', 'api/jobs/bullmq:bull:email:3/retry')?.reqAction).toBe(JOBS_WRITE);
    expect(match('POST', 'api/queues/bullmq:bull:email/clean')?.reqAction).toBe(QUEUES_WRITE);
    expect(match('POST', 'api/settings/jobs/status')).toBeUndefined();
    expect(match('DELETE', 'api/jobs/x')).toBeUndefined();
  });
});

/** Grafana's router-tree match of one app route path (segments equal; a last `*` takes the rest, even nothing). */
function matchPath(pattern: string, requested: string): boolean {
  const want = pattern.split('/').filter(Boolean);
  const got = requested.split('/').filter(Boolean);
  for (let i = 0; i < want.length; i++) {
    if (want[i] === '*' && i === want.length - 1) {
      return true;
    }
    if (i >= got.length || want[i] !== got[i]) {
      return false;
    }
  }
  return got.length === want.length;
}
