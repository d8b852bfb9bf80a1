import fs from 'node:fs';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { JobDetailSchema, StatusResponseSchema, jobKey, jobPath, queueActionPath, type HealthResponse } from '@jobscope/contract';
import type { Service } from '../src/service';
import { MemorySource } from './helpers/memory-source';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

/**
 * The seam: a second source that lives only in the tests (own native states, no Redis) is plugged into the real app
 * beside real BullMQ queues, and shows up everywhere a user looks — status list, counts, health, metrics, job detail —
 * with no change outside its file and the wiring. Two BullMQ queues of one name under two prefixes stay two queues.
 */

const TOKEN = 'seam-test-token';
const connection = sharedConnection();
const p1 = testPrefix('seam-a');
const p2 = testPrefix('seam-b');
const QUEUE = 'dup';

let redis: Redis;
let service: Service;
let memory: MemorySource;
const queues: Queue[] = [];
let worker: Worker;

beforeAll(async () => {
  redis = new Redis(connection);
  for (const prefix of [p1, p2]) {
    queues.push(new Queue(QUEUE, { connection, prefix }));
  }
  // A real failure under p2 first, so the BullMQ side of health and metrics has something to say.
  await queues[1].add('fails', {}, { jobId: 'fails-1' });
  worker = new Worker(QUEUE, async (): Promise<unknown> => Promise.reject(new Error('boom')), { connection, prefix: p2 });
  await waitFor('the failure', async () => (await queues[1].getFailedCount()) === 1);
  await worker.close();
  for (const [i, prefix] of [p1, p2].entries()) {
    await queues[i].add(`job-under-${prefix}`, { under: prefix }, { jobId: 'same-1' });
  }

  memory = new MemorySource('memory', 'mem', ['inbox']);
  memory.add({ id: 'm-1', queue: 'inbox', name: 'parse-mail', native: 'broken', error: 'bad header' });
  memory.add({ id: 'm-2', queue: 'inbox', name: 'parse-mail', native: 'queued', data: { n: 2 } });
  service = await startService(
    { JOBSCOPE_PREFIXES: `${p1},${p2}`, JOBSCOPE_API_TOKEN: TOKEN },
    { extraSources: [memory] }
  );
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  await Promise.allSettled(queues.map((q) => q.obliterate({ force: true }).finally(() => q.close())));
  await deleteByPrefix(redis, p1);
  await deleteByPrefix(redis, p2);
  redis.disconnect();
});

describe('a second source through the seam', () => {
  it('appears in the status list and counts with its own native states', async () => {
    const res = await getJson(service, '/api/settings/jobs/status?limit=50');
    expect(res.status).toBe(200);
    const body = StatusResponseSchema.parse(res.body);
    const mine = body.jobs.filter((j) => j.source === 'memory');
    expect(mine.map((j) => [j.id, j.state, j.nativeState])).toEqual([
      ['m-2', 'PENDING', 'queued'],
      ['m-1', 'FAILURE', 'broken'],
    ]);
    // Sorted by state across sources: every PENDING before every FAILURE.
    const states = body.jobs.map((j) => j.state);
    expect(states.lastIndexOf('PENDING')).toBeLessThan(states.indexOf('FAILURE'));
    const inbox = body.queues.find((q) => q.source === 'memory')!;
    expect(inbox).toMatchObject({ name: 'inbox', prefix: 'mem', counts: { PENDING: 1, FAILURE: 1 } });
    expect(inbox.nativeCounts).toMatchObject({ queued: 1, broken: 1 });
  });

  it('is listed among the sources with what it can do, and the UI-hidden actions are the ones that answer 405', async () => {
    const body = StatusResponseSchema.parse((await getJson(service, '/api/settings/jobs/status?limit=1')).body);
    expect(body.sources).toEqual([
      {
        id: 'bullmq',
        label: 'BullMQ',
        supports: { enqueue: true, actions: ['retry', 'remove', 'promote', 'cancel', 'pause', 'resume', 'retry-failed', 'clean'] },
      },
      // No enqueue, no actions: the plugin shows no Run job for its queues and no action menu entries for its jobs.
      { id: 'memory', label: 'memory', supports: { enqueue: false, actions: [] } },
    ]);
    const write = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } };
    const retry = await getJson(service, `${jobPath({ source: 'memory', prefix: 'mem', queue: 'inbox', id: 'm-1' })}/retry`, write);
    expect(retry.status).toBe(405);
    expect(retry.body.error.code).toBe('not_supported');
    const pause = await getJson(service, queueActionPath({ source: 'memory', prefix: 'mem', name: 'inbox' }, 'pause'), write);
    expect(pause.status).toBe(405);
    expect(pause.body.error.code).toBe('not_supported');
  });

  it('is filtered by state and queue like any queue', async () => {
    const failed = await getJson(service, '/api/settings/jobs/status?state=FAILURE&queue=inbox');
    expect(failed.body.jobs.map((j: { id: string }) => j.id)).toEqual(['m-1']);
  });

  it('is graded by health and exported by /metrics', async () => {
    const health = (await getJson(service, '/api/health?queue=inbox')).body as HealthResponse;
    expect(health.checks['queue/inbox:failures'][0]).toMatchObject({ observedValue: 1, status: 'warn' });
    expect(health.checks['queue/inbox:stalled'][0]).toMatchObject({ observedValue: 'unknown', status: 'pass' });
    const metrics = await (await service.app.request('/metrics')).text();
    expect(metrics).toContain('jobscope_queue_jobs{source="memory",prefix="mem",queue="inbox",state="FAILURE"} 1');
    expect(metrics).toContain('jobscope_queue_recent_failures{source="memory",prefix="mem",queue="inbox"} 1');
    // The BullMQ-only gauge keeps BullMQ's names and only BullMQ's queues.
    expect(metrics).toContain(`bullmq_jobs{prefix="${p2}",queue="${QUEUE}",state="failed"} 1`);
    expect(metrics).not.toMatch(/bullmq_jobs\{[^}]*queue="inbox"/);
  });

  it('answers job detail through the registry, and 405 for a capability it lacks', async () => {
    const ref = { source: 'memory', prefix: 'mem', queue: 'inbox', id: 'm-2' };
    const detail = await getJson(service, jobPath(ref));
    expect(detail.status).toBe(200);
    expect(JobDetailSchema.parse(detail.body)).toMatchObject({ id: 'm-2', nativeState: 'queued', data: { text: '{"n":2}' } });
    const add = await getJson(service, '/api/jobs', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ queue: 'inbox', name: 'x' }),
    });
    expect(add.status).toBe(405);
    expect(add.body.error).toEqual({ code: 'not_supported', message: 'source "memory" cannot enqueue' });
  });

  it('needed no change outside its own file and the wiring: nothing but the wiring imports the BullMQ source', () => {
    const src = path.join(__dirname, '..', 'src');
    const wiring = new Set(['service.ts', 'config.ts']);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const rel = path.relative(src, full);
        if (entry.isDirectory()) {
          if (rel !== path.join('sources', 'bullmq')) walk(full);
        } else if (entry.name.endsWith('.ts') && !wiring.has(rel)) {
          if (/from '[./]*sources\/bullmq\/|from '\.\/bullmq\//.test(fs.readFileSync(full, 'utf8'))) offenders.push(rel);
        }
      }
    };
    walk(src);
    expect(offenders).toEqual([]);
    // The contract speaks no source's vocabulary: none of BullMQ's state names is a value in it.
    const contract = path.join(__dirname, '..', '..', 'contract', 'src');
    for (const file of fs.readdirSync(contract).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const code = fs.readFileSync(path.join(contract, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect([file, code.match(/'(wait|prioritized|waiting-children|completed|failed|active|delayed|paused)'/g)]).toEqual([file, null]);
    }
  });
});

describe('one job address', () => {
  it('lists both queues of one name under two prefixes, and their same-id jobs as two jobs', async () => {
    const body = StatusResponseSchema.parse((await getJson(service, '/api/settings/jobs/status?queue=dup&limit=50')).body);
    expect(body.queues.filter((q) => q.name === QUEUE).map((q) => q.prefix).sort()).toEqual([p1, p2].sort());
    const same = body.jobs.filter((j) => j.id === 'same-1');
    expect(same.map((j) => j.prefix).sort()).toEqual([p1, p2].sort());
    expect(new Set(same.map((j) => jobKey(j))).size).toBe(2);
  });

  it('opens the right one of them by its key', async () => {
    for (const prefix of [p1, p2]) {
      const res = await getJson(service, jobPath({ source: 'bullmq', prefix, queue: QUEUE, id: 'same-1' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ prefix, name: `job-under-${prefix}`, data: { text: JSON.stringify({ under: prefix }) } });
    }
  });

  it('asks which one when an enqueue names only the queue, and adds to the named prefix', async () => {
    const post = (body: object) =>
      getJson(service, '/api/jobs', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const ambiguous = await post({ queue: QUEUE, name: 'x' });
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.error.code).toBe('ambiguous_queue');
    const before = await queues[0].getWaitingCount();
    const added = await post({ queue: QUEUE, prefix: p1, name: 'x' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ source: 'bullmq', prefix: p1, queue: QUEUE, state: 'PENDING' });
    expect(await queues[0].getWaitingCount()).toBe(before + 1);
  });

  it.each([
    ['a malformed key', '/api/jobs/not-a-key', 400, 'invalid_job_key'],
    ['bad percent-encoding', '/api/jobs/bullmq:x:%25E0%25A4:1', 400, 'invalid_job_key'],
    ['an unknown source', '/api/jobs/celery:x:q:1', 404, 'unknown_source'],
    ['an unknown queue', `/api/jobs/bullmq:${p1}:nope:1`, 404, 'unknown_queue'],
    ['an unknown job', `/api/jobs/bullmq:${p1}:${QUEUE}:no-such-job`, 404, 'job_not_found'],
  ])('answers %s with a JSON error', async (_what, url, status, code) => {
    const res = await getJson(service, url);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });
});
