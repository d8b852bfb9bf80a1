import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Job, Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { StatusResponseSchema, jobPath } from '@jobscope/contract';
import { ConfigError, loadConfig } from '../src/config';
import type { Service } from '../src/service';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { getJson, startService } from './helpers/service';
import { makeCa, makeServerCert, type TestCa } from './helpers/tls-certs';
import { sleep, waitFor } from './helpers/wait';

/**
 * `rediss://` against a real TLS redis-server (private, TLS port only, certificates made with openssl): status,
 * job detail, health and enqueue work over TLS with JOBSCOPE_REDIS_TLS_CA_FILE; a server certificate the client cannot
 * verify (another CA, or the system CAs) is a clear "could not be verified" on /readyz, health and status, not a crash.
 */

const PREFIX = 'jobscope-tls';
const Q = 'tls-q';
const TOKEN = 'tls-test-token';
const STATUS = '/api/settings/jobs/status';

let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let server: PrivateRedis;
let queue: Queue;
const services: Service[] = [];

async function serviceWith(env: Record<string, string>): Promise<Service> {
  const service = await startService({ REDIS_URL: server.url, JOBSCOPE_PREFIXES: PREFIX, JOBSCOPE_API_TOKEN: TOKEN, ...env });
  services.push(service);
  return service;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-tls-'));
  ca = makeCa(dir, 'good');
  otherCa = makeCa(dir, 'other');
  const cert = makeServerCert(dir, ca);
  server = await PrivateRedis.start({ tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: ca.certFile } });
  // Real BullMQ jobs, written over TLS.
  const connection = { ...server.connection, tls: { ca: ca.pem } };
  queue = new Queue(Q, { connection, prefix: PREFIX });
  await queue.add('ok', { n: 1 }, { jobId: 'ok-1' });
  await queue.add('bad', { n: 2 }, { jobId: 'bad-1' });
  const worker = new Worker(Q, async (job) => {
    if (job.name === 'bad') throw new Error('bad job');
    return 'fine';
  }, { connection, prefix: PREFIX });
  await waitFor('jobs finished', async () => {
    const n = await queue.getJobCounts('completed', 'failed');
    return n.completed === 1 && n.failed === 1;
  }, 10_000);
  await worker.close();
  await queue.add('waiting', { n: 3 }, { jobId: 'wait-1' });
}, 20_000);

afterAll(async () => {
  const neverConnected = services.some((s) => s.redis.status !== 'ready');
  await Promise.allSettled(services.map((s) => s.close()));
  if (neverConnected) {
    // ioredis's disconnect() of a client whose socket already closed arms a 2 s "destroy the stream" timer that
    // nothing clears; let it run out so Jest exits cleanly.
    await sleep(2100);
  }
  await queue?.close();
  await server?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('the private server speaks TLS only', async () => {
  expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
  // A plain-TCP PING gets no PONG: the server drops what is not a TLS handshake.
  const socket = net.connect(server.port, '127.0.0.1');
  let reply = '';
  socket.on('data', (d) => (reply += d));
  socket.on('error', () => undefined);
  socket.once('connect', () => socket.write('PING\r\n'));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  expect(reply).not.toContain('PONG');
});

describe('with JOBSCOPE_REDIS_TLS_CA_FILE = the CA that signed the server certificate', () => {
  let service: Service;
  beforeAll(async () => {
    service = await serviceWith({ JOBSCOPE_REDIS_TLS_CA_FILE: ca.certFile });
    await service.source.queueRegistry.refresh();
  });

  it('connects over TLS, verified against the CA', () => {
    expect(service.redis.status).toBe('ready');
    const socket = (service.redis as Redis).stream;
    expect(socket).toBeInstanceOf(tls.TLSSocket);
    expect((socket as tls.TLSSocket).authorized).toBe(true);
    expect((socket as tls.TLSSocket).getPeerCertificate().issuer.CN).toBe('jobscope test CA good');
  });

  it('serves status, job detail, health and /readyz over TLS', async () => {
    const res = await getJson(service, STATUS);
    expect(res.status).toBe(200);
    const body = StatusResponseSchema.parse(res.body);
    expect(body.redis).toMatchObject({ ok: true, error: null, version: expect.stringMatching(/^\d+\./) });
    expect(body.jobs.map((j) => [j.id, j.nativeState]).sort()).toEqual([['bad-1', 'failed'], ['ok-1', 'completed'], ['wait-1', 'wait']]);
    const failed = body.jobs.find((j) => j.id === 'bad-1')!;
    const detail = await getJson(service, jobPath(failed));
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: 'bad-1', nativeState: 'failed' });
    expect((await getJson(service, '/readyz')).status).toBe(200);
    const health = await getJson(service, '/api/health');
    expect(JSON.stringify(health.body)).not.toMatch(/certificate|unreachable/i);
  });

  it('enqueues and retries over TLS (BullMQ writes through the same TLS connection)', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const added = await getJson(service, '/api/jobs', { method: 'POST', headers: auth, body: JSON.stringify({ queue: Q, name: 'via-tls', data: { x: 1 } }) });
    expect(added.status).toBe(201);
    const job = await Job.fromId(queue, added.body.id);
    expect(job?.name).toBe('via-tls');
    const retried = await getJson(service, jobPath({ source: 'bullmq', prefix: PREFIX, queue: Q, id: 'bad-1' }, 'retry'), { method: 'POST', headers: auth });
    expect(retried.status).toBe(200);
    expect(await queue.getJobState('bad-1')).toBe('waiting');
  });
});

describe.each([
  ['another self-signed CA', () => ({ JOBSCOPE_REDIS_TLS_CA_FILE: otherCa.certFile })],
  ['no CA file (system CAs only)', () => ({})],
])('with %s', (_what, env) => {
  let service: Service;
  beforeAll(async () => {
    service = await serviceWith(env());
  });

  it('does not connect, and says the certificate could not be verified', async () => {
    expect(service.redis.status).not.toBe('ready');
    const verify = /not connected to Redis: the Redis server's TLS certificate could not be verified \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/;

    const ready = await getJson(service, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.output).toMatch(/^Redis unreachable: /);
    expect(ready.body.output).toMatch(verify);

    const status = await getJson(service, STATUS);
    expect(status.status).toBe(503);
    expect(status.body.error.code).toBe('redis_unavailable');
    expect(status.body.error.message).toMatch(verify);

    const health = await getJson(service, '/api/health');
    expect(health.status).toBe(503);
    expect(JSON.stringify(health.body)).toMatch(/TLS certificate could not be verified/);

    const waitingBefore = (await queue.getJobCounts('wait')).wait;
    const added = await getJson(service, '/api/jobs', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: Q, name: 'never' }),
    });
    expect(added.status).toBe(503);
    expect((await queue.getJobCounts('wait')).wait).toBe(waitingBefore);
  });
});

describe('JOBSCOPE_REDIS_TLS_CA_FILE is checked at start', () => {
  it.each([
    ['a missing file', () => ({ REDIS_URL: server.url, JOBSCOPE_REDIS_TLS_CA_FILE: path.join(dir, 'nope.pem') }), /cannot read .*nope\.pem/],
    ['a file without a PEM certificate', () => ({ REDIS_URL: server.url, JOBSCOPE_REDIS_TLS_CA_FILE: path.join(dir, 'server.ext') }), /holds no PEM certificate/],
    ['a redis:// URL', () => ({ REDIS_URL: 'redis://127.0.0.1:6379', JOBSCOPE_REDIS_TLS_CA_FILE: ca.certFile }), /REDIS_URL is not a rediss:\/\//],
  ])('%s is a ConfigError naming the variable', (_what, env, why) => {
    let error: unknown;
    try {
      loadConfig(env());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/JOBSCOPE_REDIS_TLS_CA_FILE: /);
    expect((error as Error).message).toMatch(why);
  });

  it('main.ts exits 2 with the message when the file is missing', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('service', 'src', 'main.ts')], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, REDIS_URL: server.url, PORT: '0', JOBSCOPE_REDIS_TLS_CA_FILE: path.join(dir, 'missing-ca.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toMatch(/jobscope: invalid configuration: JOBSCOPE_REDIS_TLS_CA_FILE: cannot read .*missing-ca\.pem/);
  }, 15_000);
});
