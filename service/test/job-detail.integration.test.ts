import { FlowProducer, Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { DETAIL_TRACE_MAX_BYTES, DETAIL_VALUE_MAX_BYTES, JobDetailSchema, jobPath, type JobRef } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

/** `GET /api/jobs/:jobKey` on real BullMQ jobs, checked against BullMQ's own `Job.fromId` and `getState`. */

const connection = sharedConnection();
const prefix = testPrefix('detail');
const QUEUE = 'detail';

let redis: Redis;
let queue: Queue;
let service: Service;
let children: Queue;
const ref = (id: string): JobRef => ({ source: 'bullmq', prefix, queue: QUEUE, id });

async function detail(id: string) {
  const res = await getJson(service, jobPath(ref(id)));
  expect(res.status).toBe(200);
  return JobDetailSchema.parse(res.body);
}

beforeAll(async () => {
  redis = new Redis(connection);
  queue = new Queue(QUEUE, { connection, prefix });
  await queue.add('ok', { n: 1 }, { jobId: 'done-1' });
  await queue.add('bad', { n: 2 }, { jobId: 'failed-1', attempts: 3, backoff: { type: 'fixed', delay: 1 } });
  const worker = new Worker(
    QUEUE,
    async (job) => {
      if (job.name === 'bad') {
        throw new Error(`attempt ${job.attemptsMade + 1} went wrong — ünïcode`);
      }
      return { sent: true, to: 'ana' };
    },
    { connection, prefix }
  );
  await waitFor('both finished', async () => (await queue.getCompletedCount()) === 1 && (await queue.getFailedCount()) === 1, 10_000);
  await worker.close();
  await queue.add('later', { n: 3 }, { jobId: 'delayed-1', delay: 60_000 });
  await queue.add('urgent', { n: 4 }, { jobId: 'prio-1', priority: 5 });
  // About 1 MB of data (2-byte characters).
  await queue.add('big', { blob: 'é'.repeat(512 * 1024) }, { jobId: 'big-1' });
  await queue.add('dedup', {}, { jobId: 'dedup-1', deduplication: { id: 'once-only' } });
  const logged = await queue.add('logged', {}, { jobId: 'logged-1' });
  for (let i = 0; i < 15; i++) await logged.log(`line ${i}`);

  // A flow: a parent with three children, one of which fails (ignored by the parent) and one still waits.
  const flows = new FlowProducer({ connection, prefix });
  await flows.add({
    name: 'parent',
    queueName: QUEUE,
    opts: { jobId: 'flow-parent' },
    children: [
      { name: 'child-ok', queueName: 'detail-children', opts: { jobId: 'child-ok' } },
      { name: 'child-bad', queueName: 'detail-children', opts: { jobId: 'child-bad', ignoreDependencyOnFailure: true } },
      { name: 'child-later', queueName: 'detail-children', opts: { jobId: 'child-later', delay: 60_000 } },
    ],
  });
  await flows.close();
  children = new Queue('detail-children', { connection, prefix });
  const childWorker = new Worker(
    'detail-children',
    async (job) => {
      if (job.name === 'child-bad') throw new Error('child failed');
      return { child: job.name };
    },
    { connection, prefix }
  );
  await waitFor('children finished', async () => (await children.getCompletedCount()) === 1 && (await children.getFailedCount()) === 1, 10_000);
  await childWorker.close();

  // 30 failed attempts with long stack traces.
  await queue.add('tries', {}, { jobId: 'tries-1', attempts: 30, backoff: { type: 'fixed', delay: 0 } });
  const tryWorker = new Worker(
    QUEUE,
    async (job) => {
      if (job.name !== 'tries') return null;
      const err = new Error(`try ${job.attemptsMade + 1}`);
      err.stack = `${err.message}\n${'    at deep (x.js:1:1)\n'.repeat(1000)}`;
      throw err;
    },
    { connection, prefix, settings: { backoffStrategy: () => 0 } }
  );
  await waitFor('30 attempts', async () => (await queue.getJobState('tries-1')) === 'failed', 20_000);
  await tryWorker.close();
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 60_000);

afterAll(async () => {
  await service?.close();
  await children?.obliterate({ force: true }).finally(() => children.close());
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('job detail', () => {
  it.each(['done-1', 'failed-1', 'delayed-1', 'prio-1'])('%s: state, data, options and result as BullMQ has them', async (id) => {
    const [job, body] = await Promise.all([Job.fromId(queue, id), detail(id)]);
    expect(job).toBeTruthy();
    const state = await job!.getState();
    expect({ nativeState: body.nativeState, prefix: body.prefix, queue: body.queue, id: body.id }).toEqual({
      nativeState: state === 'waiting' ? 'wait' : state,
      prefix,
      queue: QUEUE,
      id,
    });
    expect(JSON.parse(body.data.text!)).toEqual(job!.data);
    expect(body.data).toMatchObject({ truncated: false, bytes: Buffer.byteLength(JSON.stringify(job!.data)) });
    expect(body.opts).toMatchObject({ ...(job!.opts.priority ? { priority: job!.opts.priority } : {}) });
    expect(body.attemptsMade).toBe(job!.attemptsMade);
    expect(body.failedReason).toBe(job!.failedReason ?? null);
    expect(body.stacktrace).toEqual(job!.stacktrace ?? []);
    expect(body.returnValue.text === null ? null : JSON.parse(body.returnValue.text)).toEqual(job!.returnvalue ?? null);
  });

  it('carries every stack trace entry of a job that failed three times', async () => {
    const body = await detail('failed-1');
    expect(body.state).toBe('FAILURE');
    expect(body.stacktrace).toHaveLength(3);
    expect(body.failedReason).toBe('attempt 3 went wrong — ünïcode');
  });

  it('cuts 1 MB of data to 64 KB on a character boundary and says how big it was', async () => {
    const [job, body] = await Promise.all([Job.fromId(queue, 'big-1'), detail('big-1')]);
    const full = JSON.stringify(job!.data);
    expect(body.data.truncated).toBe(true);
    expect(body.data.bytes).toBe(Buffer.byteLength(full));
    expect(Buffer.byteLength(body.data.text!)).toBeLessThanOrEqual(DETAIL_VALUE_MAX_BYTES);
    expect(full.startsWith(body.data.text!)).toBe(true);
  });

  it('shows a flow parent with its children and their states as BullMQ has them', async () => {
    const [parent, body] = await Promise.all([Job.fromId(queue, 'flow-parent'), detail('flow-parent')]);
    const counts = await parent!.getDependenciesCount();
    expect({ ...body.children, items: undefined }).toEqual({ ...counts, items: undefined });
    expect(body.children).toMatchObject({ processed: 1, unprocessed: 1, ignored: 1 });
    const states = Object.fromEntries(body.children.items.map((c) => [c.ref.id, c.state]));
    expect(states).toEqual({ 'child-ok': 'SUCCESS', 'child-bad': 'FAILURE', 'child-later': 'DELAYED' });
    for (const c of body.children.items) {
      expect(c.ref).toMatchObject({ source: 'bullmq', prefix, queue: 'detail-children' });
      expect(await children.getJobState(c.ref.id)).toBe(c.nativeState === 'wait' ? 'waiting' : c.nativeState);
    }
    // The child points back at its parent, and its detail opens by that ref.
    const child = JobDetailSchema.parse((await getJson(service, jobPath(body.children.items[0].ref))).body);
    expect(child.parent).toEqual(ref('flow-parent'));
  });

  it('counts log lines, and carries the deduplication id', async () => {
    expect((await detail('logged-1')).logCount).toBe((await queue.getJobLogs('logged-1')).count);
    expect((await detail('dedup-1')).deduplicationId).toBe('once-only');
  });

  it('carries all 30 stack traces of 30 failed attempts, each cut to 8 KB, and a timeline', async () => {
    const [job, body] = await Promise.all([Job.fromId(queue, 'tries-1'), detail('tries-1')]);
    expect(job!.stacktrace).toHaveLength(30);
    expect(body.stacktrace).toHaveLength(30);
    body.stacktrace.forEach((entry, i) => {
      expect(Buffer.byteLength(entry)).toBeLessThanOrEqual(DETAIL_TRACE_MAX_BYTES);
      expect(String(job!.stacktrace![i]).startsWith(entry)).toBe(true);
    });
    expect(body.attemptsMade).toBe(30);
    expect(body.attemptsStarted).toBe(30);
    const events = body.timeline.map((t) => t.event);
    expect(events[0]).toBe('created');
    expect(events.filter((e) => e === 'attempt-failed')).toHaveLength(30);
    expect(events[events.length - 1]).toBe('finished');
  });

  it('answers 404 JSON for a job removed after it was listed', async () => {
    await queue.add('gone', {}, { jobId: 'gone-1' });
    expect((await getJson(service, jobPath(ref('gone-1')))).status).toBe(200);
    await (await Job.fromId(queue, 'gone-1'))!.remove();
    const res = await getJson(service, jobPath(ref('gone-1')));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('job_not_found');
  });
});
