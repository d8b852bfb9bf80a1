/**
 * `npm start`: the service plus a demo workload, for a newcomer. Uses the Redis at REDIS_URL, or starts a private
 * redis-server when none answers there. With Debian's python3-celery on /usr/bin/python3 it also runs a Celery demo
 * worker on the next database of that Redis (the service reads it as its Celery source) and feeds it tasks; without
 * it, it says how to get it. Everything it starts stops with it (Ctrl-C, SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import {
  findOnPath,
  freePort,
  redisAnswers,
  stopProcess,
  PrivateRedis,
} from './lib/private-redis';
import { startPreviewServer, type PreviewServer } from '../preview/preview-server';
import { CeleryWorker, celeryMissing } from './lib/celery-worker';

const root = path.resolve(__dirname, '..');
const say = (line: string) => process.stdout.write(`[jobscope] ${line}\n`);

interface Child {
  name: string;
  process: ChildProcess;
}

function run(name: string, file: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        process.stdout.write(`[${name}] ${line}\n`);
      }
    });
  }
  return { name, process: child };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

async function main(): Promise<void> {
  const children: Child[] = [];
  // Kept while it starts too, so a Ctrl-C in that moment still stops it (it runs in its own process group).
  let redis: Promise<PrivateRedis> | null = null;
  let preview: PreviewServer | null = null;
  // Kept while it starts too (as Redis above): a stop in that moment still stops it.
  let celery: Promise<CeleryWorker | null> | null = null;
  let celeryFeed: NodeJS.Timeout | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    if (celeryFeed) {
      clearInterval(celeryFeed);
    }
    await preview?.close();
    await Promise.all([
      ...children.map((c) => stopProcess(c.process, 5000)),
      celery?.then((w) => w?.stop(CELERY_STOP_GRACE_MS)),
    ]);
    await (await redis?.catch(() => null))?.destroy();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (await redisAnswers(redisUrl)) {
    say(`using Redis at ${redisUrl}`);
  } else {
    const binary = findOnPath('redis-server');
    if (!binary) {
      process.stderr.write(
        `[jobscope] no Redis answers at ${redisUrl} and redis-server is not installed: install Redis (e.g. "apt-get install redis-server") or set REDIS_URL to a running one.\n`
      );
      process.exit(1);
    }
    redis = PrivateRedis.start({ binary, detached: true });
    const started = await redis;
    redisUrl = started.url;
    say(`no Redis answered; started a private redis-server at ${redisUrl} (data in ${started.dir}, removed on exit)`);
  }

  const port = process.env.PORT ? Number(process.env.PORT) : (await portIsFree(8787)) ? 8787 : await freePort();
  const apiToken = process.env.JOBSCOPE_API_TOKEN || `demo-${randomBytes(12).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redisUrl,
    PORT: String(port),
    JOBSCOPE_API_TOKEN: apiToken,
  };
  // Celery beside BullMQ: unless the user points the service at their own Celery, a demo worker on the database after
  // REDIS_URL's (BullMQ's demo keeps its `bull` prefix there), started while the service starts.
  const ownCelery = Boolean(process.env.JOBSCOPE_CELERY_BROKER_URL);
  const celeryProblem = ownCelery ? null : celeryMissing();
  if (!ownCelery && !celeryProblem) {
    env.JOBSCOPE_CELERY_BROKER_URL = celeryDemoUrl(redisUrl);
    celery = CeleryWorker.start({
      brokerUrl: env.JOBSCOPE_CELERY_BROKER_URL,
      hostname: CELERY_DEMO_HOSTNAME,
      events: true,
      detached: true,
      exitWithParent: true,
      onLine: (line) => process.stdout.write(`[celery] ${line}\n`),
    }).then(
      (worker) => {
        worker.process.once('exit', (code) => {
          if (!stopping) {
            say(`Celery demo worker exited (${code})`);
          }
        });
        return worker;
      },
      (err: Error) => {
        say(`Celery demo worker not started: ${err.message.split('\n')[0]}`);
        return null;
      }
    );
  }
  const serviceUrl = `http://${clientHost(env.HOST)}:${port}`;
  const service = run('service', 'service/src/main.ts', env);
  children.push(service);
  service.process.once('exit', (code) => {
    if (!stopping) {
      say(`service exited (${code}); stopping`);
      void stop(code || 1);
    }
  });
  if (!(await waitForHttp(`${serviceUrl}/livez`, 15_000))) {
    say('service did not answer within 15 s; stopping');
    return stop(1);
  }
  const demo = run('demo', 'service/demo/workload.ts', env);
  children.push(demo);
  demo.process.once('exit', (code) => {
    if (!stopping && code) {
      say(`demo workload exited (${code})`);
    }
  });

  const celeryWorker = await celery;
  if (stopping) {
    return;
  }
  if (celeryWorker) {
    celeryFeed = feedCeleryDemo(serviceUrl, apiToken);
  }

  say('ready:');
  say(`  jobs status   ${serviceUrl}/api/settings/jobs/status`);
  say(`  health        ${serviceUrl}/api/health`);
  say(`  metrics       ${serviceUrl}/metrics`);
  say(`  write token   ${apiToken}${process.env.JOBSCOPE_API_TOKEN ? ' (from JOBSCOPE_API_TOKEN)' : ' (generated for this run)'}`);
  if (celeryWorker) {
    say(`  celery        demo worker ${CELERY_DEMO_HOSTNAME} (pid ${celeryWorker.pid}) on ${env.JOBSCOPE_CELERY_BROKER_URL}, tasks sent through POST /api/jobs`);
  } else if (ownCelery) {
    say(`  celery        reading JOBSCOPE_CELERY_BROKER_URL (no demo worker)`);
  } else if (celeryProblem) {
    say(`  celery        no demo worker: ${celeryProblem}`);
  }
  say('press Ctrl-C to stop everything');

  // --- Grafana preview (preview/, described in tests/e2e/README.md): the built plugin in a host page that mimics Grafana, proxied to the
  // service above. Optional: the launcher keeps running without it.
  const previewPort = process.env.PREVIEW_PORT ? Number(process.env.PREVIEW_PORT) : (await portIsFree(3000)) ? 3000 : 0;
  startPreviewServer({ port: previewPort, serviceUrl, apiToken, role: 'Admin', buildPlugin: true }).then(
    async (started) => {
      if (stopping) {
        await started.close();
        return;
      }
      preview = started;
      say(`  grafana preview ${started.url}/a/${started.pluginId}/settings?tab=jobs (plugin dist in a Grafana-like host)`);
    },
    (err: unknown) => say(`grafana preview not started: ${err instanceof Error ? err.message : String(err)}`)
  );
}

const CELERY_DEMO_HOSTNAME = 'demo@jobscope';
/** A demo task may be mid-run (up to 6 s): warm shutdown gets this long, then the worker's group is killed. */
const CELERY_STOP_GRACE_MS = 3000;
const CELERY_FEED_MS = 3000;

/** The Celery demo's broker: the same server as REDIS_URL, the next database number (db 1 by default). */
function celeryDemoUrl(redisUrl: string): string {
  const url = new URL(redisUrl);
  const db = Number(url.pathname.slice(1) || 0);
  url.pathname = `/${Number.isInteger(db) && db < 15 ? db + 1 : 1}`;
  return url.toString();
}

/** Demo tasks for the Celery worker, sent through jobscope's own enqueue route: a first round at once, then one every few seconds. */
function feedCeleryDemo(serviceUrl: string, token: string): NodeJS.Timeout {
  const tasks = [
    { name: 'jobscope_tasks.add', data: { args: [2, 3] } },
    { name: 'jobscope_tasks.slow', data: { args: [6] } },
    { name: 'jobscope_tasks.fail', data: { args: ['demo failure'] } },
    { name: 'jobscope_tasks.add', data: { args: [40, 2] }, opts: { delay: 20_000 } },
    { name: 'jobscope_tasks.flaky', data: { kwargs: { countdown: 2 } } },
    { name: 'jobscope_tasks.echo', data: { args: ['hello'], kwargs: { from: 'npm start' } } },
  ];
  let n = 0;
  let warned = false;
  const send = () => {
    const task = tasks[n++ % tasks.length];
    fetch(`${serviceUrl}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'celery', source: 'celery', ...task }),
    })
      .then(async (res) => {
        if (!res.ok && !warned) {
          warned = true;
          say(`Celery demo task not sent: ${res.status} ${(await res.text()).slice(0, 200)}`);
        }
      })
      .catch(() => undefined);
  };
  for (let i = 0; i < 3; i++) {
    send();
  }
  const timer = setInterval(send, CELERY_FEED_MS);
  timer.unref();
  return timer;
}

/** Where a client reaches a server bound to `host`: wildcards mean loopback, IPv6 needs brackets. */
function clientHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0') {
    return '127.0.0.1';
  }
  if (host === '::') {
    return '[::1]';
  }
  return host.includes(':') ? `[${host}]` : host;
}

/** Port 8787 is the documented default; use it only when it is free. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

main().catch((err) => {
  process.stderr.write(`[jobscope] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
