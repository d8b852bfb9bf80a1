import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../scripts/lib/private-redis';
import { parseRaw, startSocketService } from './helpers/server';
import { SHARED_REDIS_URL } from './helpers/service';
import { testPrefix } from './helpers/prefix';
import { sleep, waitFor } from './helpers/wait';

/**
 * service/src/main.ts as a real process: SIGTERM lets in-flight requests finish and ends event streams, then exits 0;
 * a second signal exits at once; and no token ever appears in its log.
 */

const REPO_ROOT = path.resolve(__dirname, '../..');
const API_TOKEN = 'shutdown-api-token-SECRET-1';
const READ_TOKEN = 'shutdown-read-token-SECRET-2';
const WRONG_TOKEN = 'shutdown-wrong-token-SECRET-3';

interface Proc {
  child: ChildProcess;
  url: string;
  port: number;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const procs: Proc[] = [];

async function spawnService(env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('service', 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      REDIS_URL: SHARED_REDIS_URL,
      HOST: '127.0.0.1',
      PORT: String(port),
      JOBSCOPE_PREFIXES: testPrefix('shutdown'),
      JOBSCOPE_API_TOKEN: API_TOKEN,
      JOBSCOPE_READ_TOKEN: READ_TOKEN,
      JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
      LOG_LEVEL: 'trace',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }))
  );
  const proc: Proc = { child, url: `http://127.0.0.1:${port}`, port, log: () => output, exited };
  procs.push(proc);
  await waitFor(`service on ${port}`, async () => (await fetch(`${proc.url}/livez`).catch(() => null))?.ok === true, 30_000);
  return proc;
}

/** A request whose headers are in but whose body is not: in flight until `finish()`. */
async function inFlight(port: number): Promise<{ finish(): void; answer: Promise<string> }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  let text = '';
  socket.on('data', (d) => (text += d));
  const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)));
  const body = JSON.stringify({ queue: 'no-such-queue', name: 'n' });
  socket.write(
    `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`
  );
  return { finish: () => socket.write(body.slice(5)), answer };
}

afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
    }
  }
});

describe('graceful shutdown (a real process)', () => {
  it('SIGTERM: the in-flight request finishes, streams end, Redis closes, exit 0; no token in the log', async () => {
    const proc = await spawnService();
    // Requests carrying every kind of token, right and wrong, in headers and the URL.
    await fetch(`${proc.url}/api/settings/jobs/status`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    await fetch(`${proc.url}/api/settings/jobs/status?token=${WRONG_TOKEN}`, { headers: { authorization: `Bearer ${WRONG_TOKEN}` } });
    await fetch(`${proc.url}/api/jobs`, { method: 'POST', headers: { authorization: `Bearer ${WRONG_TOKEN}` }, body: '{}' });
    await fetch(`${proc.url}/api/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'nope', name: API_TOKEN }),
    });
    await fetch(`${proc.url}/metrics`, { headers: { authorization: `Basic ${Buffer.from(`u:${API_TOKEN}`).toString('base64')}` } });

    const stream = await fetch(`${proc.url}/api/settings/jobs/stream`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    expect(stream.status).toBe(200);
    const streamDone = stream.text().then(() => Date.now(), () => Date.now());
    const pending = await inFlight(proc.port);
    await sleep(100);

    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    // Streams end at once; the in-flight request is still being waited for.
    expect((await streamDone) - signalledAt).toBeLessThan(1500);
    await sleep(300);
    expect(proc.child.exitCode).toBeNull();
    pending.finish();
    const answer = parseRaw(await pending.answer);
    expect(answer?.status).toBe(404);
    expect(answer?.headers.connection).toBe('close');
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(3000);

    const log = proc.log();
    expect(log).toContain('"msg":"shut down"');
    for (const secret of [API_TOKEN, READ_TOKEN, WRONG_TOKEN, 'SECRET', Buffer.from(`u:${API_TOKEN}`).toString('base64')]) {
      expect(log).not.toContain(secret);
    }
  }, 40_000);

  it('a second signal exits immediately, without waiting for in-flight requests', async () => {
    const proc = await spawnService({ JOBSCOPE_SHUTDOWN_TIMEOUT_MS: '20000' });
    await inFlight(proc.port);
    await sleep(100);
    proc.child.kill('SIGTERM');
    await sleep(400);
    expect(proc.child.exitCode).toBeNull();
    const second = Date.now();
    proc.child.kill('SIGINT');
    const exit = await proc.exited;
    expect(exit.code).toBe(130);
    expect(exit.at - second).toBeLessThan(1000);
  }, 40_000);

  it('past JOBSCOPE_SHUTDOWN_TIMEOUT_MS the remaining connections are cut and the process exits', async () => {
    const proc = await spawnService({ JOBSCOPE_SHUTDOWN_TIMEOUT_MS: '700' });
    const pending = await inFlight(proc.port);
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(650);
    expect(exit.at - signalledAt).toBeLessThan(3000);
    await pending.answer;
  }, 40_000);
});

describe('readiness during shutdown (in-process)', () => {
  it('/readyz answers 503 as soon as shutdown begins, /livez stays 200', async () => {
    const running = await startSocketService({ JOBSCOPE_PREFIXES: testPrefix('shutdown-ready') });
    expect((await running.service.app.request('/readyz')).status).toBe(200);
    const done = running.shutdown();
    const res = await running.service.app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'fail', output: 'shutting down' });
    expect((await running.service.app.request('/livez')).status).toBe(200);
    expect(await done).toBe(true);
  });
});
