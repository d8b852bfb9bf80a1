import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { DETAIL_VALUE_MAX_BYTES, JobDetailSchema, jobPath, type JobRef } from '@jobscope/contract';
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
  await queue.add('big', { blob: 'é'.repeat(DETAIL_VALUE_MAX_BYTES) }, { jobId: 'big-1' });
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 20_000);

afterAll(async () => {
  await service?.close();
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

  it('cuts data over 64 KB on a character boundary and says how big it was', async () => {
    const [job, body] = await Promise.all([Job.fromId(queue, 'big-1'), detail('big-1')]);
    const full = JSON.stringify(job!.data);
    expect(body.data.truncated).toBe(true);
    expect(body.data.bytes).toBe(Buffer.byteLength(full));
    expect(Buffer.byteLength(body.data.text!)).toBeLessThanOrEqual(DETAIL_VALUE_MAX_BYTES);
    expect(full.startsWith(body.data.text!)).toBe(true);
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
