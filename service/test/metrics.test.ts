import { spawnSync } from 'node:child_process';
import { FlowProducer, Queue, Worker, type JobType } from 'bullmq';
import Redis from 'ioredis';
import { METRICS, type HealthResponse } from '@jobscope/contract';
import { BULLMQ_METRIC_STATES as METRIC_JOB_STATES } from '../src/sources/bullmq/native-states';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import type { Service } from '../src/service';

/**
 * /metrics on the shared Redis under a random prefix. Jobs are moved by hand (worker without autorun) so every state
 * holds a known number of jobs while the test compares the scrape with BullMQ's own getJobCounts().
 */
jest.setTimeout(30_000);

const prefix = testPrefix('metrics');
let service: Service;
let alpha: Queue;
let beta: Queue;
let worker: Worker;
let flows: FlowProducer;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m) {
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[k] = v;
      }
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
  }
  return { samples, types };
}

async function scrape(): Promise<{ text: string; samples: Sample[]; types: Map<string, string> }> {
  const res = await service.app.request('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, ...parse(text) };
}

/** BullMQ v6's types dropped the legacy `paused` list, but getJobCounts still counts it (LLEN). */
const COUNTED_STATES = METRIC_JOB_STATES as unknown as JobType[];

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

beforeAll(async () => {
  const connection = sharedConnection();
  alpha = new Queue('alpha', { connection, prefix });
  beta = new Queue('beta', { connection, prefix });
  flows = new FlowProducer({ connection, prefix });
  worker = new Worker('alpha', null, { connection, prefix, autorun: false });

  await alpha.addBulk(['j1', 'j2', 'j3', 'j4', 'j5'].map((name) => ({ name, data: {} })));
  const token = 'metrics-test';
  await (await worker.getNextJob(token))!.moveToCompleted('ok', token, false);
  await (await worker.getNextJob(token))!.moveToFailed(new Error('one'), token, false);
  await (await worker.getNextJob(token))!.moveToFailed(new Error('two'), token, false);
  await worker.getNextJob(token); // stays active, its lock held for 30 s
  await alpha.add('later', {}, { delay: 60_000 });
  await alpha.add('urgent', {}, { priority: 5 });
  await flows.add({ name: 'parent', queueName: 'alpha', children: [{ name: 'child', queueName: 'alpha', data: {} }] });
  await beta.add('b1', {});
  await beta.pause();

  service = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_STATS_TTL_MS: '0' });
  await service.source.queueRegistry.refresh();
});

afterAll(async () => {
  await service?.close();
  await worker?.close(true);
  await flows?.close();
  for (const q of [alpha, beta]) {
    await q?.obliterate({ force: true }).catch(() => undefined);
    await q?.close();
  }
  const redis = new Redis(sharedConnection());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

it('exports exactly the contract metric names', async () => {
  const { types } = await scrape();
  expect([...types.keys()].sort()).toEqual(Object.values(METRICS).sort());
  expect(types.get(METRICS.snapshotDuration)).toBe('histogram');
  expect(types.get(METRICS.jobCount)).toBe('gauge');
});

it('counts equal BullMQ getJobCounts for every queue and state', async () => {
  const { samples } = await scrape();
  for (const q of [alpha, beta]) {
    const expected = await q.getJobCounts(...COUNTED_STATES);
    const exported = Object.fromEntries(
      METRIC_JOB_STATES.map((state) => [state, value(samples, METRICS.jobCount, { prefix, queue: q.name, state })])
    );
    expect({ queue: q.name, counts: exported }).toEqual({ queue: q.name, counts: expected });
  }
  // The set-up really put jobs in every state that v6 still has.
  const alphaCounts = await alpha.getJobCounts(...COUNTED_STATES);
  for (const state of METRIC_JOB_STATES.filter((s) => s !== 'paused')) {
    expect({ state, n: alphaCounts[state] > 0 }).toEqual({ state, n: true });
  }
});

it('exports workers, paused, recent failures/completions, oldest waiting age, stalled and health per queue', async () => {
  const { samples } = await scrape();
  const a = { prefix, queue: 'alpha' };
  const b = { prefix, queue: 'beta' };
  expect(value(samples, METRICS.queueWorkers, a)).toBe(await alpha.getWorkersCount());
  expect(value(samples, METRICS.queueWorkers, b)).toBe(0);
  expect(value(samples, METRICS.queuePaused, a)).toBe(0);
  expect(value(samples, METRICS.queuePaused, b)).toBe(1);
  expect(value(samples, METRICS.queueRecentFailures, a)).toBe(2);
  expect(value(samples, METRICS.queueRecentCompletions, a)).toBe(1);
  expect(value(samples, METRICS.queueStalled, a)).toBe(0);
  const waiting = await alpha.getJobs(['wait', 'prioritized']);
  const oldestAgeS = (Date.now() - Math.min(...waiting.map((j) => j.timestamp))) / 1000;
  const age = value(samples, METRICS.queueOldestWaitingAge, a)!;
  expect(age).toBeGreaterThan(0);
  expect(age).toBeLessThanOrEqual(oldestAgeS + 0.001);
  expect(age).toBeGreaterThan(oldestAgeS - 5);

  for (const queue of ['alpha', 'beta']) {
    const health = (await getJson(service, `/api/health?queue=${queue}`)).body as HealthResponse;
    const expected = { pass: 0, warn: 1, fail: 2 }[health.status];
    expect({ queue, health: value(samples, METRICS.queueHealth, { prefix, queue }) }).toEqual({ queue, health: expected });
  }
  expect(value(samples, METRICS.redisUp, {})).toBe(1);
  expect(value(samples, METRICS.redisLatency, {})).toBeGreaterThan(0);
});

it('observes snapshot builds in the duration histogram', async () => {
  const before = value((await scrape()).samples, `${METRICS.snapshotDuration}_count`, {}) ?? 0;
  expect((await getJson(service, '/api/settings/jobs/status')).status).toBe(200);
  const after = (await scrape()).samples;
  expect(value(after, `${METRICS.snapshotDuration}_count`, {})).toBe(before + 1);
  expect(value(after, `${METRICS.snapshotDuration}_sum`, {})).toBeGreaterThan(0);
});

it('passes promtool check metrics on a live scrape', async () => {
  const found = spawnSync('promtool', ['--version']);
  if (found.error) {
    if (process.env.CI) {
      throw new Error('promtool is required in CI (Debian package "prometheus")');
    }
    console.warn('promtool not found: skipping the promtool check (install the Debian package "prometheus")');
    return;
  }
  const { text } = await scrape();
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  // Exit 0 only: 1 = unparsable, 3 = lint findings (printed, so a failure says which).
  expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
  expect(run.status).toBe(0);
});

it('lets several apps keep their own registries in one process', async () => {
  const other = await startService({ JOBSCOPE_PREFIXES: prefix, JOBSCOPE_STATS_TTL_MS: '0' });
  try {
    await other.source.queueRegistry.refresh();
    const res = await other.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(other.metrics.registry).not.toBe(service.metrics.registry);
    const samples = parse(await res.text()).samples;
    expect(value(samples, METRICS.queuePaused, { prefix, queue: 'beta' })).toBe(1);
  } finally {
    await other.close();
  }
});
