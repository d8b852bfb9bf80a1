/**
 * service/Dockerfile without Docker: rebuild the image's /app from the filtered build context exactly as the COPY
 * lines say, run its `npm ci`, then start the image's CMD and the compose demo command from that directory (and
 * nothing else) against a private Redis, and run the image's HEALTHCHECK. Catches a source the image forgets to copy,
 * a dependency only the root devDependencies provide, or a .dockerignore rule that drops something needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { API_PATHS, StatusResponseSchema } from '@jobscope/contract';
import { freePort, waitUntil } from '../e2e/support/net';
import { spawnLogged, tailOf, type Spawned } from '../e2e/support/processes';
import { startPrivateRedis, type PrivateRedis } from '../e2e/support/redis-server';
import { contextFiles, copyIntoImage, dockerignoreRules, isIgnored, parseDockerfile } from './docker-context';
import { readText, readYaml } from './repo';
import { describeWithTools } from './tools';

jest.setTimeout(240_000);

const df = parseDockerfile('service/Dockerfile');
const rules = dockerignoreRules(readText('.dockerignore'));
const compose = readYaml<{ services: Record<string, { command?: string[]; environment?: Record<string, string> }> }>('docker-compose.yml');

describe('.dockerignore matching', () => {
  it.each([
    ['node_modules/x/index.js', true],
    ['service/node_modules/x/index.js', true],
    ['grafana-plugin/src/module.tsx', true],
    ['grafana-plugin/package.json', false],
    ['tests/ops/image.test.ts', true],
    ['tests/package.json', false],
    ['service/src/main.ts', false],
    ['provisioning/README.md', true],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isIgnored(rules, path)).toBe(ignored);
  });
});

describeWithTools([['redis-server', 'redis-server']], 'the service image, assembled without Docker', () => {
  let imageDir: string;
  let logDir: string;
  let redis: PrivateRedis;
  const running: Spawned[] = [];
  const prefix = `jobscope-test-image-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    imageDir = mkdtempSync(join(tmpdir(), 'jobscope-image-'));
    logDir = mkdtempSync(join(tmpdir(), 'jobscope-image-logs-'));
    copyIntoImage(df, contextFiles(rules), imageDir);
    // Only the `npm ci` parts of RUN: `npm cache clean` would wipe this machine's shared npm cache.
    for (const run of df.runs) {
      for (const step of run.split('&&').map((s) => s.trim()).filter((s) => s.startsWith('npm ci'))) {
        const r = spawnSync('sh', ['-c', `${step} --prefer-offline`], {
          cwd: imageDir,
          env: { ...process.env, ...df.env },
          encoding: 'utf8',
        });
        if (r.status !== 0) {
          throw new Error(`${step} failed:\n${r.stdout}\n${r.stderr}`);
        }
      }
    }
    redis = await startPrivateRedis(logDir);
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await redis?.destroy();
    for (const d of [imageDir, logDir]) {
      if (d) rmSync(d, { recursive: true, force: true });
    }
  });

  it('installs without dev dependencies (no jest, webpack or typescript in the image)', () => {
    const ls = spawnSync('ls', [join(imageDir, 'node_modules')], { encoding: 'utf8' }).stdout.split('\n');
    expect(ls).toContain('tsx');
    expect(ls).toContain('bullmq');
    for (const dev of ['jest', 'webpack', 'typescript', '@grafana']) {
      expect(ls).not.toContain(dev);
    }
  });

  it('runs the CMD (service) and the compose demo command; the HEALTHCHECK passes and the demo queues show up', async () => {
    const port = await freePort();
    const serviceEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...df.env,
      ...compose.services['jobscope-service'].environment,
      REDIS_URL: redis.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      JOBSCOPE_PREFIXES: prefix,
      JOBSCOPE_API_TOKEN: 'image-test-token',
      JOBSCOPE_READ_TOKEN: '',
      LOG_LEVEL: 'warn',
    };
    // Compose-style `${VAR:-}` defaults mean "unset" here; the service treats empty values as unset too.
    for (const [k, v] of Object.entries(serviceEnv)) {
      if (typeof v === 'string' && v.startsWith('${')) (serviceEnv as Record<string, string>)[k] = '';
    }
    const serviceLog = join(logDir, 'service.log');
    const service = spawnLogged(df.cmd[0], df.cmd.slice(1), { cwd: imageDir, env: serviceEnv, logFile: serviceLog });
    running.push(service);

    const demoCommand = compose.services['jobscope-demo'].command as string[];
    const demoLog = join(logDir, 'demo.log');
    const demo = spawnLogged(demoCommand[0], demoCommand.slice(1), {
      cwd: imageDir,
      env: { PATH: serviceEnv.PATH, ...df.env, REDIS_URL: redis.url, JOBSCOPE_PREFIXES: prefix, LOG_LEVEL: 'warn' },
      logFile: demoLog,
    });
    running.push(demo);

    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntil('the image service to answer /readyz', async () => (await fetch(`${base}${API_PATHS.readyz}`)).ok, 60_000, 250);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${tailOf(serviceLog)}`);
    }
    const health = spawnSync(df.healthcheck[0], df.healthcheck.slice(1), { env: { ...serviceEnv }, encoding: 'utf8', timeout: 10_000 });
    expect(health.status).toBe(0);

    let queues: string[] = [];
    try {
      await waitUntil('the demo queues in the status', async () => {
        const res = await fetch(`${base}${API_PATHS.status}`);
        queues = StatusResponseSchema.parse(await res.json()).queues.map((q) => q.name);
        return ['topology-discovery', 'email', 'reports'].every((q) => queues.includes(q));
      }, 60_000, 500);
    } catch (e) {
      throw new Error(`${(e as Error).message}; queues seen: ${queues.join(', ')}\n${tailOf(demoLog)}\n${tailOf(serviceLog)}`);
    }
  });
});
