// Child processes the e2e suite starts (single processes: redis-server, node). They stay in jest's process group, so a
// Ctrl-C in the terminal reaches them too. Inside jest, `process.on('exit' | 'SIGTERM')` listeners never fire (tests
// get a copy of the process object), so each child gets a small detached watchdog that kills it, and removes its temp
// dir, as soon as the test process is gone, however it ended (failure, SIGTERM, SIGKILL).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

const WATCHDOG = `
const fs = require('node:fs');
const [parent, child, dir] = process.argv.slice(1).map((a, i) => (i < 2 ? Number(a) : a));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const timer = setInterval(() => {
  if (alive(parent)) {
    if (!alive(child) && (!dir || !fs.existsSync(dir))) clearInterval(timer);
    return;
  }
  try { process.kill(child, 'SIGKILL'); } catch {}
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  clearInterval(timer);
}, 300);
`;

/** Starts the watchdog for `child` (and `dir`, removed if the test process dies first). */
export function watchOverChild(child: ChildProcess, dir?: string): void {
  if (child.pid === undefined) {
    return;
  }
  const args = ['-e', WATCHDOG, String(process.pid), String(child.pid), ...(dir ? [dir] : [])];
  const watchdog = spawn(process.execPath, args, { detached: true, stdio: 'ignore' });
  watchdog.unref();
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

export interface Spawned {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnLogged(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; logFile: string; tempDir?: string }
): Spawned {
  const log = fs.openSync(opts.logFile, 'a');
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  watchOverChild(child, opts.tempDir);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', () => resolve('spawn-error'));
  });
  return {
    child,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) {
        return;
      }
      kill(child, 'SIGTERM');
      const timer = setTimeout(() => kill(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function tailOf(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
