/**
 * `npm start` as a newcomer runs it: no Redis at REDIS_URL, so the launcher starts a private redis-server, the service
 * and the demo workload; the demo's jobs show up in the status route; Ctrl-C stops everything and removes the data.
 * With Debian's python3-celery on /usr/bin/python3 it also runs a Celery demo worker (its tasks show up as source
 * `celery`); without it (forced here with JOBSCOPE_CELERY_PYTHON) it says how to get it and runs the rest.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { StatusResponse } from '@jobscope/contract';
import { freePort } from '../../scripts/lib/private-redis';
import { celeryMissing } from '../../scripts/lib/celery-worker';

const root = path.resolve(__dirname, '../..');
jest.setTimeout(120_000);

const celeryProblem = celeryMissing();
const withCelery = celeryProblem ? it.skip : it;
if (celeryProblem) {
  // eslint-disable-next-line no-console
  console.warn(`npm start with the Celery demo worker: skipped (${celeryProblem})`);
}
const BULLMQ_QUEUES = ['email', 'reports', 'topology-discovery'];

function launch(env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { child, output: () => out };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

/** True while any process of the group `pgid` exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function status(port: number, query = 'limit=50'): Promise<StatusResponse> {
  const res = await fetch(`http://127.0.0.1:${port}/api/settings/jobs/status?${query}`);
  return (await res.json()) as StatusResponse;
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  let running: ChildProcessWithoutNullStreams | null = null;
  afterEach(async () => {
    // A failed test still gets its launcher stopped properly (it stops its children), SIGKILL only as a last resort.
    if (running && running.exitCode === null) {
      running.kill('SIGINT');
      const done = exited(running);
      const timer = setTimeout(() => running?.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(timer);
    }
    running = null;
  });

  /** Launches with a dead REDIS_URL (so a private redis-server), waits for the ready message. */
  async function launchPrivate(env: NodeJS.ProcessEnv = {}) {
    const deadRedisPort = await freePort();
    const port = await freePort();
    const started = Date.now();
    const { child, output } = launch({ REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`, PORT: String(port), LOG_LEVEL: 'warn', ...env });
    running = child;
    await until('the ready message', () => (output().includes('press Ctrl-C') ? true : undefined), 60_000);
    const match = /private redis-server at redis:\/\/127\.0\.0\.1:(\d+) \(data in (\S+),/.exec(output());
    expect(match).not.toBeNull();
    const dataDir = match![2];
    expect(fs.existsSync(dataDir)).toBe(true);
    return { child, output, port, redisPort: Number(match![1]), dataDir, readyMs: Date.now() - started };
  }

  /** Ctrl-C: exit 0, nothing left listening, the data dir removed. */
  async function stopAndCheck(l: Awaited<ReturnType<typeof launchPrivate>>): Promise<number> {
    const started = Date.now();
    l.child.kill('SIGINT');
    expect(await exited(l.child)).toBe(0);
    const stopMs = Date.now() - started;
    expect(await portAnswers(l.port)).toBe(false);
    expect(await portAnswers(l.redisPort)).toBe(false);
    expect(fs.existsSync(l.dataDir)).toBe(false);
    return stopMs;
  }

  async function bullmqDemoRuns(port: number): Promise<StatusResponse> {
    // The demo's producer and workers put jobs on all three queues within a few seconds.
    const body = await until(
      'demo jobs on all three queues',
      async () => {
        const b = await status(port);
        const names = b.queues.filter((q) => q.source === 'bullmq').map((q) => q.name);
        return names.length === 3 && b.jobs.some((j) => j.source === 'bullmq') ? b : undefined;
      },
      30_000
    );
    expect(body.queues.filter((q) => q.source === 'bullmq').map((q) => q.name).sort()).toEqual(BULLMQ_QUEUES);
    expect(body.workers.items.map((w) => w.name).sort()).toEqual(
      expect.arrayContaining(['demo-email', 'demo-reports', 'demo-topology-discovery'])
    );
    return body;
  }

  withCelery('starts a private Redis, the service, the BullMQ demo and a Celery demo worker, and stops them all on Ctrl-C', async () => {
    const l = await launchPrivate();
    const worker = /celery {8}demo worker demo@jobscope \(pid (\d+)\) on redis:\/\/127\.0\.0\.1:(\d+)\/1\b/.exec(l.output());
    expect(worker).not.toBeNull();
    const celeryPid = Number(worker![1]);
    expect(Number(worker![2])).toBe(l.redisPort);
    expect(groupAlive(celeryPid)).toBe(true);

    const all = await bullmqDemoRuns(l.port);
    expect(all.queues.map((q) => `${q.source}:${q.name}`).sort()).toEqual(['bullmq:email', 'bullmq:reports', 'bullmq:topology-discovery', 'celery:celery']);
    // The demo producer's tasks, run by the real worker: finished ones from the result backend, on db 1.
    const celery = await until(
      'Celery demo tasks that succeeded and failed',
      async () => {
        const b = await status(l.port, 'queue=celery&limit=100');
        const states = new Set(b.jobs.map((j) => j.state));
        return states.has('SUCCESS') && states.has('FAILURE') ? b : undefined;
      },
      30_000
    );
    expect(celery.jobs.length).toBeGreaterThan(0);
    for (const job of celery.jobs) {
      expect(job).toMatchObject({ source: 'celery', prefix: 'db1', queue: 'celery' });
    }
    expect(celery.jobs.map((j) => j.name)).toEqual(expect.arrayContaining(['jobscope_tasks.add', 'jobscope_tasks.fail']));
    expect(celery.workers.items.map((w) => w.name)).toContain('demo@jobscope');

    const stopMs = await stopAndCheck(l);
    // The worker and its pool processes are gone too.
    expect(groupAlive(celeryPid)).toBe(false);
    // eslint-disable-next-line no-console
    console.log(`npm start with Celery: ready in ${l.readyMs} ms, stopped in ${stopMs} ms`);
  });

  it('without Celery says how to get it, and runs the service and the BullMQ demo alone', async () => {
    const l = await launchPrivate({ JOBSCOPE_CELERY_PYTHON: '/nonexistent/python3' });
    expect(l.output()).toMatch(/celery {8}no demo worker: .*apt install python3-celery python3-redis/);
    const body = await bullmqDemoRuns(l.port);
    expect(body.queues.map((q) => q.name).sort()).toEqual(BULLMQ_QUEUES);
    expect(body.jobs.every((j) => j.source === 'bullmq')).toBe(true);
    const stopMs = await stopAndCheck(l);
    // eslint-disable-next-line no-console
    console.log(`npm start without Celery: ready in ${l.readyMs} ms, stopped in ${stopMs} ms`);
  });

  it('exits with one clear line when no Redis answers and redis-server is not installed', async () => {
    const deadRedisPort = await freePort();
    const { child, output } = launch({
      REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`,
      // Node stays reachable by absolute path; PATH no longer finds redis-server.
      PATH: path.dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : path.dirname(process.execPath),
    });
    running = child;
    expect(await exited(child)).toBe(1);
    expect(output()).toMatch(/no Redis answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed: install Redis/);
  });
});
