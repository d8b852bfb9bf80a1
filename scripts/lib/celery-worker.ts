/**
 * Real Celery workers for `npm start` and the tests: Debian's python3-celery run with /usr/bin/python3 (not a pyenv
 * Python, which lacks the package), on the small app in scripts/celery/jobscope_tasks.py, plus Celery's own API as a
 * test oracle (scripts/celery/oracle.py).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { isRunning, stopProcess } from './private-redis';

export const CELERY_PYTHON = process.env.JOBSCOPE_CELERY_PYTHON ?? '/usr/bin/python3';
export const CELERY_APP_DIR = path.resolve(__dirname, '..', 'celery');

/** How to get Celery where it is missing (Debian/Ubuntu packages for /usr/bin/python3). */
export const CELERY_INSTALL_HINT = 'apt install python3-celery python3-redis';

/** Null when Celery (≥ 5) and redis-py import; else why not, with how to get them. */
export function celeryMissing(): string | null {
  const r = spawnSync(CELERY_PYTHON, ['-c', 'import celery, redis; assert int(celery.__version__.split(".")[0]) >= 5'], { encoding: 'utf8' });
  if (r.error) {
    return `${CELERY_PYTHON} not found (${CELERY_INSTALL_HINT})`;
  }
  return r.status === 0 ? null : `Celery >= 5 and redis-py do not import in ${CELERY_PYTHON} (${CELERY_INSTALL_HINT})`;
}

function celeryEnv(brokerUrl: string, resultUrl?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: CELERY_APP_DIR,
    PYTHONUNBUFFERED: '1',
    JOBSCOPE_CELERY_BROKER_URL: brokerUrl,
    JOBSCOPE_CELERY_RESULT_URL: resultUrl ?? brokerUrl,
  };
}

export interface CeleryWorkerOptions {
  brokerUrl: string;
  resultUrl?: string;
  hostname: string;
  /** `-E`: send task events. */
  events?: boolean;
  concurrency?: number;
  queues?: string[];
  /**
   * Own process group (the worker and its pool), stopped as a group: a terminal's Ctrl-C then reaches only the
   * launcher, which stops the worker itself (a second SIGINT would make Celery shut down cold).
   */
  detached?: boolean;
  /** The worker stops (warm shutdown) when its stdin closes, i.e. when the Node process that started it dies. */
  exitWithParent?: boolean;
  /** Lines of the worker's output go here (default: kept for error messages). */
  onLine?(line: string): void;
}

export class CeleryWorker {
  private output = '';

  private constructor(
    readonly process: ChildProcess,
    readonly hostname: string,
    private readonly group: boolean
  ) {}

  /** Starts a worker and resolves once it says it is ready. */
  static async start(opts: CeleryWorkerOptions): Promise<CeleryWorker> {
    const args = ['-m', 'celery', '-A', 'jobscope_tasks', 'worker', '--loglevel=INFO', '--without-mingle', '--without-gossip',
      `--concurrency=${opts.concurrency ?? 2}`, '-n', opts.hostname, '--pool=prefork'];
    if (opts.events) {
      args.push('-E');
    }
    if (opts.queues) {
      args.push('-Q', opts.queues.join(','));
    }
    const env = celeryEnv(opts.brokerUrl, opts.resultUrl);
    if (opts.exitWithParent) {
      env.JOBSCOPE_CELERY_EXIT_WITH_STDIN = '1';
    }
    const child = spawn(CELERY_PYTHON, args, {
      cwd: CELERY_APP_DIR,
      env,
      stdio: [opts.exitWithParent ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    const worker = new CeleryWorker(child, opts.hostname, opts.detached ?? false);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        worker.kill();
        reject(new Error(`celery worker ${opts.hostname} not ready in 30 s:\n${worker.output.slice(-2000)}`));
      }, 30_000);
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        worker.output = (worker.output + text).slice(-20_000);
        for (const line of text.split('\n').filter(Boolean)) {
          opts.onLine?.(line);
        }
        if (/ready\./.test(worker.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`celery worker not started: ${err.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`celery worker exited (${code}) before it was ready:\n${worker.output.slice(-2000)}`));
      });
    });
    return worker;
  }

  get pid(): number {
    return this.process.pid!;
  }

  get log(): string {
    return this.output;
  }

  /** Warm shutdown (SIGTERM), then SIGKILL after `graceMs` (the whole group when detached). */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.group) {
      return stopProcess(this.process, graceMs);
    }
    if (isRunning(this.process)) {
      const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    // Pool processes the main process did not take down with it.
    this.signalGroup('SIGKILL');
  }

  kill(): void {
    if (this.group) {
      this.signalGroup('SIGKILL');
    } else {
      this.process.kill('SIGKILL');
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.process.pid!, signal);
    } catch {
      // the group is gone
    }
  }
}

/** Runs one oracle request (Celery's own API) and returns its JSON answer. */
export function celeryOracle<T = unknown>(brokerUrl: string, request: Record<string, unknown>, resultUrl?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(CELERY_PYTHON, [path.join(CELERY_APP_DIR, 'oracle.py')], { cwd: CELERY_APP_DIR, env: celeryEnv(brokerUrl, resultUrl) });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`celery oracle ${String(request.op)} failed (${code}): ${err.slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`celery oracle printed no JSON: ${out.slice(0, 500)} ${err.slice(-500)}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
