import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { JOB_LOG_LINE_MAX_BYTES, JOB_LOG_PAGE_MAX, JobLogPageSchema, jobPath, type JobRef } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { MemorySource } from './helpers/memory-source';
import { getJson, sharedConnection, startService } from './helpers/service';

/** `GET /api/jobs/:jobKey/logs` (through the app, as routes/jobs.ts mounts it) on real BullMQ jobs that logged with `job.log()`, checked against `Queue.getJobLogs`. */

const connection = sharedConnection();
const prefix = testPrefix('logs');
const QUEUE = 'logs';
const MANY = 1500;

let redis: Redis;
let queue: Queue;
let service: Service;
let memory: MemorySource;
const ref = (id: string): JobRef => ({ source: 'bullmq', prefix, queue: QUEUE, id });
const logsPath = (r: JobRef, query = '') => `${jobPath(r)}/logs${query}`;

async function page(id: string, offset: number, limit: number) {
  const res = await getJson(service, logsPath(ref(id), `?offset=${offset}&limit=${limit}`));
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return JobLogPageSchema.parse(res.body);
}

const big = '€'.repeat(7000); // 21,000 bytes: 3 bytes per character
const unicode = ['ünïcode ✓', '日本語のログ', 'emoji 🎉🚀 ok', '', 'tab\tand "quotes" and \\ backslash'];

beforeAll(async () => {
  redis = new Redis(connection);
  queue = new Queue(QUEUE, { connection, prefix });
  const many = await queue.add('many', { n: 1 }, { jobId: 'many-1' });
  for (let i = 0; i < MANY; i++) {
    await many.log(`line ${String(i).padStart(4, '0')} of ${MANY}`);
  }
  const wide = await queue.add('wide', {}, { jobId: 'wide-1' });
  await wide.log('short before');
  await wide.log(big);
  await wide.log('short after');
  const uni = await queue.add('uni', {}, { jobId: 'uni-1' });
  for (const line of unicode) {
    await uni.log(line);
  }
  await queue.add('quiet', {}, { jobId: 'quiet-1' });
  memory = new MemorySource('memory', 'mem', ['inbox']);
  memory.add({ id: 'm-1', queue: 'inbox', name: 'in memory', native: 'queued' });
  service = await startService({ JOBSCOPE_PREFIXES: prefix }, { extraSources: [memory] });
  await service.source.queueRegistry.refresh();
}, 30_000);

afterAll(async () => {
  await service?.close();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('job logs', () => {
  it(`reads ${MANY} lines in pages exactly as Queue.getJobLogs does, oldest first`, async () => {
    const all = await queue.getJobLogs('many-1', 0, -1, true);
    expect(all.count).toBe(MANY);
    const read: string[] = [];
    for (let offset = 0; offset < MANY; offset += JOB_LOG_PAGE_MAX) {
      const body = await page('many-1', offset, JOB_LOG_PAGE_MAX);
      const oracle = await queue.getJobLogs('many-1', offset, offset + JOB_LOG_PAGE_MAX - 1, true);
      expect(body).toEqual({ lines: oracle.logs, offset, total: oracle.count });
      read.push(...body.lines);
    }
    expect(read).toEqual(all.logs);
    expect(read[0]).toBe(`line 0000 of ${MANY}`);
    expect(read[MANY - 1]).toBe(`line 1499 of ${MANY}`);
  });

  it.each([
    [0, 1],
    [7, 13],
    [1490, 100],
    [1499, 1],
  ])('offset %i, limit %i: the same lines as getJobLogs', async (offset, limit) => {
    const body = await page('many-1', offset, limit);
    const oracle = await queue.getJobLogs('many-1', offset, offset + limit - 1, true);
    expect(body).toEqual({ lines: oracle.logs, offset, total: MANY });
  });

  it('defaults to the first 100 lines', async () => {
    const res = await getJson(service, logsPath(ref('many-1')));
    expect(res.status).toBe(200);
    expect(res.body.lines).toEqual((await queue.getJobLogs('many-1', 0, 99, true)).logs);
    expect(res.body).toMatchObject({ offset: 0, total: MANY });
  });

  it('an offset past the end is an empty page that still says how many lines there are', async () => {
    expect(await page('many-1', MANY, 10)).toEqual({ lines: [], offset: MANY, total: MANY });
    expect(await page('many-1', 999_999, 10)).toEqual({ lines: [], offset: 999_999, total: MANY });
  });

  it('a job that never logged has no lines', async () => {
    expect(await page('quiet-1', 0, 100)).toEqual({ lines: [], offset: 0, total: 0 });
  });

  it(`cuts a 21 KB line to ${JOB_LOG_LINE_MAX_BYTES} bytes on a character boundary`, async () => {
    const body = await page('wide-1', 0, 10);
    expect(body.total).toBe(3);
    expect(body.lines[0]).toBe('short before');
    expect(body.lines[2]).toBe('short after');
    const cut = body.lines[1];
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(JOB_LOG_LINE_MAX_BYTES);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(JOB_LOG_LINE_MAX_BYTES - 3);
    expect(cut).toBe('€'.repeat(Math.floor(JOB_LOG_LINE_MAX_BYTES / 3)));
    expect(big.startsWith(cut)).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });

  it('returns unicode lines byte for byte', async () => {
    const body = await page('uni-1', 0, 100);
    expect(body.lines).toEqual(unicode);
    expect(body.lines).toEqual((await queue.getJobLogs('uni-1', 0, -1, true)).logs);
  });

  it('answers 404 job_not_found for an unknown job, and after the job is removed', async () => {
    const res = await getJson(service, logsPath(ref('no-such-job')));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('job_not_found');
    const gone = await queue.add('gone', {}, { jobId: 'gone-1' });
    await gone.log('about to go');
    expect((await page('gone-1', 0, 10)).lines).toEqual(['about to go']);
    await (await Job.fromId(queue, 'gone-1'))!.remove();
    expect((await getJson(service, logsPath(ref('gone-1')))).status).toBe(404);
  });

  it('answers 404 unknown_queue for a queue nobody knows', async () => {
    const res = await getJson(service, logsPath({ ...ref('many-1'), queue: 'nope' }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_queue');
  });

  it.each(['?offset=-1', '?offset=abc', '?offset=1.5', '?limit=0', `?limit=${JOB_LOG_PAGE_MAX + 1}`, '?limit=', '?foo=1', '?offset=1&offset=2'])(
    '%s is 400 invalid_query',
    async (query) => {
      const res = await getJson(service, logsPath(ref('many-1'), query));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_query');
    }
  );

  it('a malformed job key is 400 invalid_job_key', async () => {
    const res = await getJson(service, '/api/jobs/only:three:parts/logs');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_job_key');
  });

  it('answers 405 not_supported for a source that keeps no logs', async () => {
    const res = await getJson(service, logsPath({ source: 'memory', prefix: 'mem', queue: 'inbox', id: 'm-1' }));
    expect(res.status).toBe(405);
    expect(res.body.error).toEqual({ code: 'not_supported', message: 'source "memory" cannot read logs' });
  });

  it('the source read answers null for a missing job and a page for an existing one', async () => {
    expect(await service.source.reads.logs!(ref('no-such-job'), { offset: 0, limit: 5 })).toBeNull();
    expect(await service.source.reads.logs!(ref('many-1'), { offset: 3, limit: 5 })).toEqual({
      lines: (await queue.getJobLogs('many-1', 3, 7, true)).logs,
      offset: 3,
      total: MANY,
    });
  });
});
