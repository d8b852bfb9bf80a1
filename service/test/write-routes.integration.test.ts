import type { Hono } from 'hono';
import { jobPath } from '@jobscope/contract';
import type { Service } from '../src/service';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';

/**
 * Every route that changes anything needs the write token, by construction of the route groups: this enumerates the
 * app's registered routes, so a write route added later without the guard fails here.
 */

const TOKEN = 'write-routes-token';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

const PREFIX = testPrefix('write-routes');
let service: Service;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  redis = new Redis(sharedConnection());
  // A real queue with a waiting job, so every enumerated write names something that exists.
  queue = new Queue('q', { connection: sharedConnection(), prefix: PREFIX });
  await queue.add('j', { n: 1 }, { jobId: 'j1' });
  service = await startService({ JOBSCOPE_PREFIXES: PREFIX, JOBSCOPE_API_TOKEN: TOKEN });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, PREFIX);
  redis.disconnect();
});

/**
 * Concrete URLs for a route pattern: `:jobKey` gets a well-formed key, `:queue` a name, `*` a segment, and a param
 * with alternatives (`:action{retry|remove}`) one URL per alternative.
 */
function concrete(pattern: string): string[] {
  const key = jobPath({ source: 'bullmq', prefix: PREFIX, queue: 'q', id: 'j1' }).split('/').pop()!;
  const alternatives = /:\w+\{([^}]*)\}/.exec(pattern);
  if (alternatives) {
    return alternatives[1]
      .split('|')
      .flatMap((alt) => concrete(pattern.replace(alternatives[0], alt.replace(/\\/g, ''))));
  }
  return [pattern.replace(/:jobKey\b/g, key).replace(/:queue\b/g, 'q').replace(/\/\*$/, '/x').replace(/\*/g, 'x')];
}

/** Every (method, URL) of the app that is not a read: explicit write routes, and write methods on guarded paths. */
function writeTargets(app: Hono): Array<[string, string]> {
  const targets = new Map<string, [string, string]>();
  for (const r of app.routes) {
    if (!r.path.startsWith('/api/')) {
      continue;
    }
    const methods = r.method === 'ALL' ? WRITE_METHODS : READ_METHODS.has(r.method) ? [] : [r.method];
    for (const m of methods) {
      for (const url of concrete(r.path)) {
        targets.set(`${m} ${url}`, [m, url]);
      }
    }
  }
  return [...targets.values()];
}

describe('write routes', () => {
  it('include the enqueue route (the enumeration sees the real routes)', () => {
    const targets = writeTargets(service.app);
    expect(targets).toContainEqual(['POST', '/api/jobs']);
    expect(targets).toContainEqual(['POST', `/api/jobs/bullmq:${PREFIX}:q:j1/cancel`]);
    expect(targets).toContainEqual(['POST', '/api/queues/q/retry-failed']);
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token' }],
    ['another scheme', { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }],
  ])('answer 401 with WWW-Authenticate for %s, on every write method of every API path', async (_what, headers) => {
    const targets = writeTargets(service.app);
    expect(targets.length).toBeGreaterThan(3);
    const before = await keyspaceDigest(redis, PREFIX);
    for (const [method, url] of targets) {
      const res = await getJson(service, url, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
      expect([method, url, res.status, res.body?.error?.code]).toEqual([method, url, 401, 'unauthorized']);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
    }
    expect(changedKeys(before, await keyspaceDigest(redis, PREFIX))).toEqual([]);
  });
});

describe('read-only mode', () => {
  it('answers 403 read_only on every write method of every API path, even with the right token', async () => {
    const before = await keyspaceDigest(redis, PREFIX);
    const readOnly = await startService({
      JOBSCOPE_PREFIXES: PREFIX,
      JOBSCOPE_API_TOKEN: TOKEN,
      JOBSCOPE_READ_ONLY: 'true',
    });
    try {
      for (const [method, url] of writeTargets(readOnly.app)) {
        const res = await getJson(readOnly, url, {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{}',
        });
        expect([method, url, res.status, res.body?.error?.code]).toEqual([method, url, 403, 'read_only']);
      }
      expect(changedKeys(before, await keyspaceDigest(redis, PREFIX))).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });
});
