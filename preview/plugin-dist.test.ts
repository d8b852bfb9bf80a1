// The dist check fails with a message that says what to run, instead of a blank page in the browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePluginDist, readPluginJson } from './plugin-dist';

test('an absent dist fails clearly when building is not allowed', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-e2e-nodist-'));
  try {
    expect(() => ensurePluginDist(empty, false)).toThrow(/grafana-plugin\/dist is not built \(missing module\.js, plugin\.json\): run `npm run build` first/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('a present dist is accepted and its plugin.json read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-e2e-dist-'));
  try {
    fs.writeFileSync(path.join(dir, 'module.js'), 'define([], function () { return {}; });');
    fs.writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify({ id: 'x-y-app', type: 'app', name: 'X' }));
    expect(() => ensurePluginDist(dir, false)).not.toThrow();
    expect(readPluginJson(dir).id).toBe('x-y-app');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
