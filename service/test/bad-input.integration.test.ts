import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { ENQUEUE_MAX_BODY_BYTES, ErrorBodySchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix, type KeyspaceDigest } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';

/**
 * Bad input on every route: each answer is a 4xx JSON error that says what is wrong, with secure headers and no stack
 * trace, and afterwards every key under the test prefix (names, types and values) is exactly as before.
 */

const TOKEN = 'bad-input-test-token';
const QUEUE = 'orders';
const connection = sharedConnection();
const prefix = testPrefix('bad-input');

let redis: Redis;
let service: Service;
let noTokenService: Service;
let queue: Queue;
let before: KeyspaceDigest;

const JSON_TYPE = { 'content-type': 'application/json' };
const AUTH = { authorization: `Bearer ${TOKEN}` };

function postJobs(body: string | null, headers: Record<string, string> = { ...AUTH, ...JSON_TYPE }, target = () => service) {
  return getJson(target(), '/api/jobs', { method: 'POST', headers, body });
}

/** What every error answer must look like. */
function expectCleanError(res: { status: number; body: unknown; headers: Headers }, status: number, code: string, message: RegExp | string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = ErrorBodySchema.parse(res.body);
  expect(body.error.code).toBe(code);
  if (typeof message === 'string') {
    expect(body.error.message).toContain(message);
  } else {
    expect(body.error.message).toMatch(message);
  }
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/\bat .*\(?[\w/\\.-]+\.(ts|js):\d+:\d+\)?/);
  expect(text).not.toContain('node_modules');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBeTruthy();
}

beforeAll(async () => {
  redis = new Redis(connection);
  queue = new Queue(QUEUE, { connection, prefix });
  await queue.add('existing', { keep: true });
  await queue.add('existing-delayed', {}, { delay: 60_000 });
  service = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN });
  noTokenService = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
  await noTokenService.source.queueRegistry.refresh();
  before = await keyspaceDigest(redis, prefix);
  expect(before.keys).toBeGreaterThan(0);
});

afterAll(async () => {
  await service?.close();
  await noTokenService?.close();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('POST /api/jobs with bad input', () => {
  const valid = { queue: QUEUE, name: 'send' };

  it.each([
    ['no Authorization header', {}, 'missing "Authorization: Bearer <token>" header'],
    ['a wrong token', { authorization: 'Bearer wrong-token-xyz' }, 'invalid token'],
    ['a token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'invalid token'],
    ['Basic auth instead of Bearer', { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, 'missing'],
    ['an empty Bearer', { authorization: 'Bearer ' }, 'missing'],
  ])('401 for %s', async (_what, auth, message) => {
    expectCleanError(await postJobs(JSON.stringify(valid), { ...JSON_TYPE, ...auth }), 401, 'unauthorized', message);
  });

  it('403 when the service has no API token configured, whatever the request sends', async () => {
    const res = await postJobs(JSON.stringify(valid), { ...JSON_TYPE, ...AUTH }, () => noTokenService);
    expectCleanError(res, 403, 'writes_disabled', 'JOBSCOPE_API_TOKEN');
  });

  it.each([
    ['no Content-Type', { ...AUTH }],
    ['text/plain', { ...AUTH, 'content-type': 'text/plain' }],
    ['a form', { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' }],
  ])('415 for %s', async (_what, headers) => {
    expectCleanError(await postJobs(JSON.stringify(valid), headers), 415, 'unsupported_media_type', 'must be JSON');
  });

  it.each([
    ['truncated JSON', '{"queue": "orders", "name": '],
    ['not JSON at all', 'queue=orders&name=send'],
    ['an empty body', ''],
    ['single quotes', "{'queue': 'orders'}"],
  ])('400 for %s', async (_what, body) => {
    expectCleanError(await postJobs(body), 400, 'invalid_json', 'request body is not valid JSON');
  });

  it('413 for a body over 256 KB, announced by Content-Length', async () => {
    const body = JSON.stringify({ ...valid, data: { blob: 'z'.repeat(ENQUEUE_MAX_BODY_BYTES) } });
    const res = await postJobs(body, { ...AUTH, ...JSON_TYPE, 'content-length': String(Buffer.byteLength(body)) });
    expectCleanError(res, 413, 'body_too_large', `larger than ${ENQUEUE_MAX_BODY_BYTES} bytes`);
  });

  it('413 for a body over 256 KB sent as a stream without Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5) {
          controller.close();
          return;
        }
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await getJson(service, '/api/jobs', {
      method: 'POST',
      headers: { ...AUTH, ...JSON_TYPE },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expectCleanError(res, 413, 'body_too_large', 'larger than');
  });

  it.each([
    ['an unknown field', { ...valid, removeOnComplete: true }, 'unknown field(s): removeOnComplete'],
    ['an unknown option', { ...valid, opts: { lifo: true } }, 'opts: unknown field(s): lifo'],
    ['a __proto__ field', JSON.parse('{"queue":"orders","name":"send","__proto__":{"admin":true}}'), '__proto__'],
    ['a queue name with a control character', { ...valid, queue: 'orders\u0007' }, 'queue: queue name must not contain control characters'],
    ['a priority above BullMQ\'s bound', { ...valid, opts: { priority: 2_097_152 } }, 'opts.priority: BullMQ accepts priorities from 0 to 2097151'],
    ['an empty queue name', { ...valid, queue: '' }, 'queue: queue name must not be empty'],
    ['a blank queue name', { ...valid, queue: '   ' }, 'queue: queue name must not be blank'],
    ['a missing queue', { name: 'send' }, 'queue'],
    ['a missing name', { queue: QUEUE }, 'name'],
    ['an empty job name', { ...valid, name: '' }, 'name: job name must not be empty'],
    ['a 257-character job name', { ...valid, name: 'n'.repeat(257) }, 'name: job name must be at most 256 characters'],
    ['a numeric queue', { ...valid, queue: 42 }, 'queue'],
    ['a negative delay', { ...valid, opts: { delay: -1 } }, 'opts.delay'],
    ['a delay in seconds as text', { ...valid, opts: { delay: '60' } }, 'opts.delay'],
    ['a fractional priority', { ...valid, opts: { priority: 1.5 } }, 'opts.priority: priority must be a whole number'],
    ['a priority over BullMQ\'s maximum', { ...valid, opts: { priority: 2_097_153 } }, 'opts.priority'],
    ['zero attempts', { ...valid, opts: { attempts: 0 } }, 'opts.attempts'],
    ['opts that are not an object', { ...valid, opts: [1] }, 'opts'],
    ['a JSON array body', [valid], 'request body must be a JSON object, got an array'],
    ['a JSON null body', null, 'request body must be a JSON object, got null'],
    ['a JSON string body', 'send', 'request body must be a JSON object, got a string'],
    ['a JSON number body', 7, 'got a number'],
  ])('400 for %s', async (_what, body, message) => {
    expectCleanError(await postJobs(JSON.stringify(body)), 400, 'invalid_body', message);
  });

  it.each([100, 5_000, 100_000])('400 (not a 500 from a stack overflow) for data nested %i levels deep', async (depth) => {
    const body = `{"queue":"${QUEUE}","name":"deep","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expectCleanError(await postJobs(body), 400, 'invalid_body', 'request body nests deeper than 64 levels');
  });

  it('404 for a queue that does not exist, naming the known ones', async () => {
    const res = await postJobs(JSON.stringify({ ...valid, queue: 'ordres' }));
    expectCleanError(res, 404, 'unknown_queue', `unknown queue "ordres"; known queues: ${QUEUE}`);
  });
});

describe('other routes with bad input', () => {
  it.each([
    ['GET', '/api/nope'],
    ['GET', '/'],
    ['POST', '/api/settings/jobs/status'],
    ['DELETE', '/api/settings/jobs/status'],
    ['GET', '/api/settings/jobs/status/extra'],
    ['GET', '/api/jobs'],
    ['DELETE', '/api/jobs'],
  ])('%s %s is a 404 JSON error', async (method, path) => {
    const res = await getJson(service, path, { method, headers: method === 'GET' ? {} : { ...AUTH } });
    expectCleanError(res, 404, 'not_found', `no route for ${method} ${path}`);
  });

  it.each([['DELETE', '/api/settings/jobs/status'], ['DELETE', '/api/jobs'], ['PUT', '/api/queues']])(
    '%s %s without the token is a 401 before anything else: the group guards every write method',
    async (method, path) => {
      const res = await getJson(service, path, { method });
      expectCleanError(res, 401, 'unauthorized', 'missing');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  );

  it('GET /api/jobs/123 is a 400 saying what a job key looks like', async () => {
    expectCleanError(await getJson(service, '/api/jobs/123'), 400, 'invalid_job_key', 'source:prefix:queue:id');
  });

  it.each([
    ['limit=201', 'limit: limit must be at most 200'],
    ['limit=abc', 'limit'],
    ['state=DONE', 'state: state must be one of RUNNING, PENDING, DELAYED, WAITING_CHILDREN, FAILURE, SUCCESS'],
    ['queue=a%0Ab', 'queue: queue name must not contain control characters'],
    ['limit=1&limit=2', 'limit'],
    ['queue=', 'queue: queue name must not be empty'],
    ['verbose=1', 'unknown field(s): verbose'],
  ])('GET status?%s is a 400 that names the problem', async (query, message) => {
    expectCleanError(await getJson(service, `/api/settings/jobs/status?${query}`), 400, 'invalid_query', message);
  });
});

describe('read token and unexpected failures', () => {
  const READ_TOKEN = 'read-only-token-1';

  it('with JOBSCOPE_READ_TOKEN set, status needs the read (or write) token', async () => {
    const guarded = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_READ_TOKEN: READ_TOKEN });
    try {
      const status = '/api/settings/jobs/status';
      expectCleanError(await getJson(guarded, status), 401, 'unauthorized', 'JOBSCOPE_READ_TOKEN is set');
      expectCleanError(await getJson(guarded, status, { headers: { authorization: 'Bearer nope-nope-nope' } }), 401, 'unauthorized', 'invalid token');
      for (const token of [READ_TOKEN, TOKEN]) {
        const ok = await getJson(guarded, status, { headers: { authorization: `Bearer ${token}` } });
        expect(ok.status).toBe(200);
      }
      // The read token does not allow writes.
      const write = await getJson(guarded, '/api/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${READ_TOKEN}`, ...JSON_TYPE },
        body: JSON.stringify({ queue: QUEUE, name: 'x' }),
      });
      expectCleanError(write, 401, 'unauthorized', 'invalid token');
    } finally {
      await guarded.close();
    }
  });

  it('a successful answer carries the secure headers and is not cached by browsers', async () => {
    const res = await getJson(service, '/api/settings/jobs/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBeTruthy();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('an unexpected error is a 500 JSON without its message or stack', async () => {
    const spy = jest
      .spyOn(service.snapshots, 'getJson')
      .mockRejectedValueOnce(new TypeError('secret detail at /srv/app/src/thing.ts:12:34'));
    try {
      const res = await getJson(service, '/api/settings/jobs/status');
      expectCleanError(res, 500, 'internal', 'internal error');
      expect(JSON.stringify(res.body)).not.toContain('secret detail');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('after all the rejected requests', () => {
  it('nothing under the prefix changed: same keys, types and values', async () => {
    const after = await keyspaceDigest(redis, prefix);
    expect(changedKeys(before, after)).toEqual([]);
    expect(after.sha256).toBe(before.sha256);
    expect(await queue.getJobCounts('wait', 'delayed')).toEqual({ wait: 1, delayed: 1 });
  });
});
