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

/** `describe` that runs when the tool is there, fails clearly in CI without it, and skips (with a message) otherwise. */
export function describeWithTool(name: string, debianPackage: string, title: string, body: (toolPath: string) => void) {
  const state = toolState(name, debianPackage);
  if (state.kind === 'present') {
    describe(title, () => body(state.path));
  } else if (state.kind === 'fail') {
    describe(title, () => {
      it(`needs ${name}`, () => {
        throw new Error(`CI is set but ${state.reason}`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`[ops tests] skipping "${title}": ${state.reason}`);
    describe.skip(`${title} (skipped: ${state.reason})`, () => {
      it('needs the tool', () => undefined);
    });
  }
}
