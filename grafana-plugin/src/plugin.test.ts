import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { PLUGIN_ID } from '@jobscope/contract';
import pluginJson from './plugin.json';

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

  it('uses the contract plugin id and requires Grafana 13.2', () => {
    expect(pluginJson.id).toBe(PLUGIN_ID);
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=13.2.0');
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

  it('proxies reads for Viewers and writes for Editors, with the token added server-side', () => {
    const auth = [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }];
    expect(pluginJson.routes).toEqual([
      // Grafana matches app routes with its router tree: `api` alone would match only the path `api`; `api/*` takes
      // everything below it and appends that to the URL.
      { path: 'api/*', method: 'GET', reqRole: 'Viewer', url: '{{ .JsonData.serviceUrl }}/api', headers: auth },
      { path: 'api/*', method: 'POST', reqRole: 'Editor', url: '{{ .JsonData.serviceUrl }}/api', headers: auth },
    ]);
  });
});
