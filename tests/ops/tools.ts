import { spawnSync } from 'node:child_process';

/**
 * Optional host tools (Debian packages). Missing locally: the suite is skipped with a message. Missing in CI
 * (`CI` set): the suite fails, because the CI script installs them.
 */
export function findTool(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export type ToolState = { kind: 'present'; path: string } | { kind: 'skip'; reason: string } | { kind: 'fail'; reason: string };

export function toolState(name: string, debianPackage: string): ToolState {
  const path = findTool(name);
  if (path) {
    return { kind: 'present', path };
  }
  const reason = `${name} not found on PATH (Debian package "${debianPackage}": apt-get install -y ${debianPackage})`;
  return process.env.CI ? { kind: 'fail', reason } : { kind: 'skip', reason };
}

/**
 * `describe` that runs when every tool is there, fails clearly in CI without one, and skips (with a message)
 * otherwise. The body gets the tools' paths in the order given.
 */
export function describeWithTools(tools: Array<[name: string, debianPackage: string]>, title: string, body: (paths: string[]) => void) {
  const states = tools.map(([name, pkg]) => toolState(name, pkg));
  const missing = states.filter((s): s is Exclude<ToolState, { kind: 'present' }> => s.kind !== 'present');
  if (missing.length === 0) {
    describe(title, () => body(states.map((s) => (s as { path: string }).path)));
  } else if (missing.some((s) => s.kind === 'fail')) {
    describe(title, () => {
      it('needs its host tools', () => {
        throw new Error(`CI is set but ${missing.map((s) => s.reason).join('; ')}`);
      });
    });
  } else {
    const reason = missing.map((s) => s.reason).join('; ');
    // eslint-disable-next-line no-console
    console.warn(`[ops tests] skipping "${title}": ${reason}`);
    describe.skip(`${title} (skipped: ${reason})`, () => {
      it('needs its host tools', () => undefined);
    });
  }
}

export function describeWithTool(name: string, debianPackage: string, title: string, body: (toolPath: string) => void) {
  describeWithTools([[name, debianPackage]], title, ([path]) => body(path));
}
