import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { ErrorBodySchema, jobPath } from '@jobscope/contract';
import type { Service } from '../src/service';
import { changedKeys, deleteByPrefix, keyspaceDigest, testPrefix, type KeyspaceDigest } from './helpers/prefix';
import { sharedConnection, startService } from './helpers/service';
import { seededRandom } from '../../scripts/lib/seeded-random';

/**
 * Generated requests on every route and method (enumerated from `app.routes`): never a 5xx (but the 503 of a health
 * probe), every error a contract error body, and nothing under the prefix changed. Writes carry the token but name
 * queues and jobs that do not exist, so whatever passes validation cannot change data. Reproduce a failure with
 * JOBSCOPE_FUZZ_SEED=<printed seed>; JOBSCOPE_FUZZ_COUNT sets the number of requests.
 */

const SEED = Number(process.env.JOBSCOPE_FUZZ_SEED ?? Date.now() % 2 ** 31);
const COUNT = Number(process.env.JOBSCOPE_FUZZ_COUNT ?? 3000);
const TOKEN = 'fuzz-test-token-123';
const PREFIX = testPrefix('fuzz');
const QUEUE = 'orders';


const random = seededRandom(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number) => random() < p;

const NASTY = [
  '', ' ', '0', '-1', '1.5', '1e309', 'NaN', 'null', 'true', '[]', '{}', '%00', '%ZZ', '%2F', '..', '../..', '\u0000',
  '\u202e', '😀', 'ä', "'", '"', '<script>', '*', '?', '#', ':', '::', 'a:b:c:d', 'x'.repeat(300), 'x'.repeat(5000),
  String(2 ** 53), String(2_097_152), '9'.repeat(40), 'RUNNING', 'FAILURE', 'waiting', 'orders', '__proto__',
];
const QUERY_KEYS = ['limit', 'state', 'queue', 'name', 'from', 'to', 'cursor', 'q', 'source', 'prefix', 'offset', 'format', 'fields', 'x'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];
const MISSING_QUEUES = ['ordres', 'nope', 'x', 'orders2'];

function nasty(): string {
  return chance(0.7) ? pick(NASTY) : String(Math.floor(random() * 1e6) * (chance(0.2) ? -1 : 1));
}

function jsonValue(depth = 0): unknown {
  switch (Math.floor(random() * (depth > 3 ? 5 : 7))) {
    case 0:
      return nasty();
    case 1:
      return pick([0, -1, 1, 1.5, 2_097_151, 2_097_152, 2 ** 31, 1e21, Number.MAX_SAFE_INTEGER]);
    case 2:
      return pick([null, true, false]);
    case 3:
      return 'v'.repeat(Math.floor(random() * 50));
    case 4:
      return Math.floor(random() * 1000);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => jsonValue(depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(['queue', 'name', 'opts', 'data', 'delay', 'priority', 'attempts', 'grace', 'limit', 'state', 'x', '__proto__']), jsonValue(depth + 1)]));
  }
}

/** Near-valid write bodies (a missing queue, so nothing is ever written) or noise. */
function body(): string | undefined {
  const r = random();
  if (r < 0.15) {
    return undefined;
  }
  if (r < 0.5) {
    const opts = chance(0.5) ? { [pick(['delay', 'priority', 'attempts', 'lifo'])]: jsonValue(3) } : undefined;
    return JSON.stringify({ queue: pick(MISSING_QUEUES), name: chance(0.8) ? 'n' : jsonValue(3), ...(opts ? { opts } : {}), ...(chance(0.3) ? { data: jsonValue() } : {}) });
  }
  if (r < 0.8) {
    return JSON.stringify(jsonValue());
  }
  if (r < 0.9) {
    return `${'['.repeat(Math.floor(random() * 3000))}`;
  }
  return pick(['{', '{"a":', 'not json', '\u0000\u0001', '{"queue":"ordres","name":"n"}'.repeat(3)]);
}

function concretePath(pattern: string, write: boolean): string {
  const jobKey = jobPath({ source: pick(['bullmq', 'memory', 'x']), prefix: PREFIX, queue: write ? pick(MISSING_QUEUES) : pick([QUEUE, ...MISSING_QUEUES]), id: pick(['1', 'missing-id', '0', '-1']) })
    .split('/')
    .pop()!;
  let path = pattern
    .replace(/:action\{([^}]*)\}/, (_m, alts: string) => pick(alts.split('|').map((a) => a.replace(/\\/g, ''))))
    .replace(/:jobKey\b/g, chance(0.8) ? jobKey : encodeURIComponent(nasty()))
    .replace(/:queue\b/g, write ? pick(MISSING_QUEUES) : chance(0.7) ? pick([QUEUE, ...MISSING_QUEUES]) : encodeURIComponent(nasty()))
    .replace(/\*/g, () => encodeURIComponent(nasty()) || 'x');
  if (chance(0.1)) {
    path += `/${encodeURIComponent(nasty())}`;
  }
  if (chance(0.05)) {
    path = path.toUpperCase();
  }
  if (chance(0.6)) {
    const params = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${pick(QUERY_KEYS)}=${encodeURIComponent(nasty())}`);
    path += `?${params.join('&')}`;
  }
  return path;
}

let redis: Redis;
let queue: Queue;
let service: Service;
let before: KeyspaceDigest;

beforeAll(async () => {
  redis = new Redis(sharedConnection());
  queue = new Queue(QUEUE, { connection: sharedConnection(), prefix: PREFIX });
  await queue.add('a', { n: 1 });
  await queue.add('b', { n: 2 }, { delay: 60_000 });
  service = await startService({ JOBSCOPE_PREFIXES: PREFIX, JOBSCOPE_API_TOKEN: TOKEN, JOBSCOPE_SNAPSHOT_TTL_MS: '500' });
  await service.source.queueRegistry.refresh();
  before = await keyspaceDigest(redis, PREFIX);
});

afterAll(async () => {
  await service?.close();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, PREFIX);
  redis.disconnect();
});

it(`survives ${COUNT} generated requests on every route and method`, async () => {
  process.stdout.write(`fuzz seed ${SEED} (JOBSCOPE_FUZZ_SEED=${SEED} to replay)\n`);
  const routes = service.app.routes.filter((r) => r.method !== 'ALL').map((r) => [r.method, r.path] as const);
  const patterns = [...new Set(service.app.routes.map((r) => r.path))];
  expect(patterns.length).toBeGreaterThan(10);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  const started = Date.now();
  for (let i = 0; i < COUNT && failures.length < 10; i++) {
    // Mostly a route's own method (deep into its validation), else any method on any path.
    const [method, pattern] = chance(0.6) ? pick(routes) : [pick(METHODS), pick(patterns)];
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const url = concretePath(pattern, write);
    const headers: Record<string, string> = {};
    if (chance(0.8)) {
      headers.authorization = chance(0.85) ? `Bearer ${TOKEN}` : pick(['Bearer wrong-token', 'Basic abc', 'Bearer', `bearer ${TOKEN}`]);
    }
    if (chance(0.8)) {
      headers['content-type'] = pick(['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']);
    }
    const text = method === 'GET' || method === 'HEAD' ? undefined : body();
    const what = `#${i} ${method} ${url.slice(0, 200)} body=${(text ?? '').slice(0, 120)}`;
    let res: Response;
    try {
      res = await service.app.request(url, { method, headers, body: text });
    } catch (err) {
      failures.push(`${what}: threw ${String(err)}`);
      continue;
    }
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      await res.body?.cancel();
      continue;
    }
    const answer = await res.text();
    const probe = type.startsWith('application/health+json');
    if (res.status >= 500 && !(res.status === 503 && probe)) {
      failures.push(`${what}: ${res.status} ${answer.slice(0, 200)}`);
    }
    if (res.status >= 400 && !probe && method !== 'HEAD') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer);
      } catch {
        parsed = answer;
      }
      if (!type.startsWith('application/json') || !ErrorBodySchema.safeParse(parsed).success) {
        failures.push(`${what}: ${res.status} not a contract error body (${type}): ${answer.slice(0, 200)}`);
      }
    }
  }
  process.stdout.write(`fuzz: ${COUNT} requests in ${Date.now() - started} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`);
  expect(failures).toEqual([]);
  // Still alive and answering, and nothing under the prefix changed.
  expect((await service.app.request('/livez')).status).toBe(200);
  expect((await service.app.request('/api/settings/jobs/status')).status).toBe(200);
  expect(changedKeys(before, await keyspaceDigest(redis, PREFIX))).toEqual([]);
}, 60_000);
