import http from 'node:http';
import net from 'node:net';
import { ENQUEUE_MAX_BODY_BYTES, ErrorBodySchema } from '@jobscope/contract';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { agentRequest, rawRequest, startSocketService, type RawAnswer } from './helpers/server';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix } from './helpers/prefix';
import { sharedConnection } from './helpers/service';
import { sleep } from './helpers/wait';

/**
 * The service on a real socket (service/src/http/server.ts): early rejections keep keep-alive connections usable,
 * what Node's parser rejects is still a JSON error, timeouts close slow clients but not event streams, and a client
 * dropping its upload is not a server error.
 */

const TOKEN = 'http-server-test-token';
const PREFIX = testPrefix('http-server');
const AUTH = { authorization: `Bearer ${TOKEN}` };
const JSON_TYPE = { 'content-type': 'application/json' };

let running: Awaited<ReturnType<typeof startSocketService>>;
let port: number;
let redis: Redis;
let queue: Queue;
let agent: http.Agent;

beforeAll(async () => {
  redis = new Redis(sharedConnection());
  queue = new Queue('orders', { connection: sharedConnection(), prefix: PREFIX });
  await queue.add('existing', { n: 1 });
  running = await startSocketService({
    JOBSCOPE_PREFIXES: PREFIX,
    JOBSCOPE_API_TOKEN: TOKEN,
    JOBSCOPE_HEADERS_TIMEOUT_MS: '600',
    JOBSCOPE_REQUEST_TIMEOUT_MS: '1500',
    JOBSCOPE_KEEP_ALIVE_TIMEOUT_MS: '2000',
  });
  await running.service.source.queueRegistry.refresh();
  port = running.http.port;
});

beforeEach(() => {
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});

afterEach(() => agent.destroy());

afterAll(async () => {
  await running?.shutdown();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, PREFIX);
  redis.disconnect();
});

function expectJsonError(res: { status: number; headers: Record<string, unknown>; body: string }, status: number) {
  expect(res.status).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = ErrorBodySchema.parse(JSON.parse(res.body));
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

describe('early rejections on a keep-alive connection', () => {
  const big = Buffer.alloc(ENQUEUE_MAX_BODY_BYTES + 44 * 1024, 'a');
  it.each([
    ['413, body announced by Content-Length', { ...AUTH, ...JSON_TYPE, 'content-length': big.length }, false, 413],
    ['413, chunked body', { ...AUTH, ...JSON_TYPE }, true, 413],
    ['401 before the body is read', { ...JSON_TYPE, 'content-length': 100_000 }, false, 401],
    ['415 before the body is read', { ...AUTH, 'content-type': 'text/plain', 'content-length': 100_000 }, false, 415],
  ])('%s: the next request on the same socket succeeds', async (_what, headers, chunked, status) => {
    const body = 'content-length' in headers ? big.subarray(0, Number(headers['content-length'])) : big;
    const first = await agentRequest(agent, port, { method: 'POST', path: '/api/jobs', headers, body, chunked });
    expectJsonError(first, status);
    expect(first.headers.connection).toBe('keep-alive');
    // At once and after node-server's 500 ms force-close used to hit: both on the same pooled socket.
    const second = await agentRequest(agent, port, { path: '/livez' });
    expect(second).toMatchObject({ status: 200, reused: true });
    await sleep(600);
    const third = await agentRequest(agent, port, { path: '/livez' });
    expect(third).toMatchObject({ status: 200, reused: true });
  });

  it('a body that never finishes gets its 413 with Connection: close, and the client reconnects', async () => {
    const started = Date.now();
    const res = await rawRequest(
      port,
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(10_000)}`
    );
    expectJsonError(res, 413);
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('a body slower than JOBSCOPE_REQUEST_TIMEOUT_MS on a route that reads it is a 408 JSON error', async () => {
    const res = await rawRequest(
      port,
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"queue":`,
      5000
    );
    expectJsonError(res, 408);
    expect(res.closed).toBe(true);
    expect(res.ms).toBeGreaterThanOrEqual(1400);
    expect(res.ms).toBeLessThan(3500);
  });
});

describe("what Node's HTTP parser rejects is a JSON error too", () => {
  const cases: Array<[string, string, number]> = [
    ['a lowercase method', 'get /livez HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['an unknown method', 'FROB /livez HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a control character in the request line', 'GET /li\u0001vez HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a non-numeric Content-Length', 'POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400],
    ['two different Content-Lengths', 'POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 400],
    ['headers over 16 KB', `GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17 * 1024)}\r\n\r\n`, 431],
    ['a URL over 16 KB', `GET /livez?${'q'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
    ['a garbage line', 'hello\r\n\r\n', 400],
  ];
  it.each(cases)('%s', async (_what, payload, status) => {
    const res = await rawRequest(port, payload);
    expectJsonError(res, status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.closed).toBe(true);
  });

  it('CONNECT gets an answer: 405 JSON', async () => {
    const res = await rawRequest(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expectJsonError(res, 405);
    expect(res.closed).toBe(true);
  });

  it('the process keeps serving afterwards', async () => {
    expect((await agentRequest(agent, port, { path: '/livez' })).status).toBe(200);
  });
});

describe('timeouts', () => {
  it('a client sending partial headers is answered 408 and closed after the header timeout', async () => {
    const res: RawAnswer = await rawRequest(port, 'GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n', 5000);
    expect(res.closed).toBe(true);
    expectJsonError(res, 408);
    expect(res.ms).toBeGreaterThanOrEqual(550);
    expect(res.ms).toBeLessThan(2000);
  });

  it('an idle keep-alive connection is closed after JOBSCOPE_KEEP_ALIVE_TIMEOUT_MS', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closedAt = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => socket.once('data', r));
    const answeredAt = Date.now();
    const idleMs = (await closedAt) - answeredAt;
    expect(idleMs).toBeGreaterThanOrEqual(1900);
    expect(idleMs).toBeLessThan(3500);
  });

  it('an event stream outlives the request and keep-alive timeouts (they apply to receiving the request)', async () => {
    const controller = new AbortController();
    const res = await fetch(`${running.http.url}/api/settings/jobs/stream`, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    let ended = false;
    const pump = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
        }
      } catch {
        // aborted below
      }
      ended = true;
    })();
    await sleep(3200);
    expect(ended).toBe(false);
    expect(text).toContain('event: snapshot');
    controller.abort();
    await pump;
  });
});

describe('a client that drops its upload mid-body', () => {
  const START = '{"queue":"orders","name":"x","data":"';
  it.each([
    ['after a whole chunk', ['400\r\n' + START.padEnd(0x400, 'y') + '\r\n']],
    ['inside a chunk (200 of 4,096 bytes sent)', ['1000\r\n' + START.padEnd(200, 'y')]],
    ['inside the second chunk', ['400\r\n' + START.padEnd(0x400, 'y') + '\r\n', '10\r\nyyyy']],
    ['inside the JSON, chunk boundary sent', ['a\r\n{"queue":"\r\n']],
  ])('%s: not a server error: no "unhandled error", no 500 in the request log', async (_where, parts) => {
    const before = await keyspaceDigest(redis, PREFIX);
    const from = running.logs.length;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
    );
    for (const part of parts) {
      socket.write(part);
      await sleep(50);
    }
    await sleep(100);
    socket.destroy();
    await sleep(400);
    const lines = running.logs.slice(from);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.some((l) => l.msg === 'unhandled error')).toBe(false);
    expect(lines.filter((l) => l.msg === 'request failed' || l.status === 500)).toEqual([]);
    expect(changedKeys(before, await keyspaceDigest(redis, PREFIX))).toEqual([]);
    expect((await agentRequest(agent, port, { path: '/livez' })).status).toBe(200);
  });
});
