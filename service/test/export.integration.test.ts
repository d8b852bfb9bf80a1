import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { parse } from 'csv-parse/sync';
import { EXPORT_COLUMNS, JobSummarySchema } from '@jobscope/contract';
import type { Service } from '../src/service';
import { deleteByPrefix, testPrefix } from './helpers/prefix';
import { getJson, sharedConnection, startService } from './helpers/service';
import { waitFor } from './helpers/wait';

/** `GET /api/jobs/export`: CSV and JSON of a view, through the cursor pages, with BullMQ's lists as the oracle. */

const connection = sharedConnection();
const prefix = testPrefix('export');
const FAILED = 50_000;
const HOSTILE = 'say "hi", then\nnew line; ünïcode 📦';
const FORMULA = "=HYPERLINK(\"http://x\",\"click\")";

let redis: Redis;
let queue: Queue;
let service: Service;

async function download(query: string): Promise<{ res: Response; text: string }> {
  const res = await service.app.request(`/api/jobs/export?${query}`);
  return { res, text: await res.text() };
}

beforeAll(async () => {
  redis = new Redis(connection);
  queue = new Queue('exp', { connection, prefix });
  for (let i = 0; i < FAILED; i += 5000) {
    await queue.addBulk(Array.from({ length: 5000 }, (_, j) => ({ name: 'bulk', data: { i: i + j }, opts: { jobId: `f-${i + j}` } })));
  }
  await queue.add(HOSTILE, { note: 'hostile name' }, { jobId: 'hostile' });
  await queue.add(FORMULA, {}, { jobId: 'formula' });
  await queue.add('@sum', {}, { jobId: 'at' });
  const worker = new Worker('exp', async () => Promise.reject(new Error('-1 is not a valid amount')), {
    connection,
    prefix,
    concurrency: 500,
  });
  await waitFor('every job failed', async () => (await queue.getFailedCount()) === FAILED + 3, 120_000);
  await worker.close();
  service = await startService({ JOBSCOPE_PREFIXES: prefix });
  await service.source.queueRegistry.refresh();
}, 180_000);

afterAll(async () => {
  await service?.close();
  await queue?.obliterate({ force: true }).finally(() => queue.close());
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
});

describe('CSV export', () => {
  let res: Response;
  let text: string;
  let rows: string[][];
  let rssGrowthMb = 0;
  beforeAll(async () => {
    const rssBefore = process.memoryUsage().rss;
    ({ res, text } = await download(`state=FAILURE&max=100000`));
    rssGrowthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    rows = parse(text);
  }, 60_000);

  it(`streams all ${FAILED.toLocaleString('en')}+ failed jobs in BullMQ's order, with bounded memory`, async () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="jobscope-FAILURE-.+\.csv"$/);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    const ids = rows.slice(1).map((r) => r[EXPORT_COLUMNS.indexOf('id')]);
    // BullMQ's own list, newest failure first (ties in member order, as Redis keeps them).
    const oracle = (await redis.zrevrange(`${prefix}:exp:failed`, 0, -1));
    expect(ids.length).toBe(FAILED + 3);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(oracle);
    // The whole CSV is ~10 MB of text; the service adds pages of 200, not the whole list.
    console.log(`export of ${ids.length} jobs: ${(text.length / 2 ** 20).toFixed(1)} MB CSV, test process RSS +${rssGrowthMb.toFixed(0)} MB`);
  }, 120_000);

  it('round-trips a name with quotes, commas, newlines and unicode through a CSV parser', () => {
    const hostile = rows.find((r) => r[EXPORT_COLUMNS.indexOf('id')] === 'hostile')!;
    expect(hostile[EXPORT_COLUMNS.indexOf('name')]).toBe(HOSTILE);
  });

  it('neutralizes cells a spreadsheet would run as formulas', () => {
    const cell = (id: string, col: (typeof EXPORT_COLUMNS)[number]) => rows.find((r) => r[EXPORT_COLUMNS.indexOf('id')] === id)![EXPORT_COLUMNS.indexOf(col)];
    expect(cell('formula', 'name')).toBe(`'${FORMULA}`);
    expect(cell('at', 'name')).toBe(`'@sum`);
    expect(cell('at', 'error')).toBe(`'-1 is not a valid amount`);
    const risky = rows.slice(1).flat().filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-?\d+(\.\d+)?$/.test(c));
    expect(risky).toEqual([]);
  });

  it('honours max and the queue filter', async () => {
    const { text } = await download('state=FAILURE&queue=exp&max=250');
    expect(parse(text)).toHaveLength(251);
  });
});

describe('JSON export and bad input', () => {
  it('is an array of the contract\'s job summaries, equal to the status route\'s first page', async () => {
    const { res, text } = await download('format=json&state=FAILURE&max=20');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const jobs = (JSON.parse(text) as unknown[]).map((j) => JobSummarySchema.parse(j));
    const status = (await getJson(service, '/api/settings/jobs/status?state=FAILURE&limit=20')).body;
    expect(jobs.map((j) => j.id)).toEqual(status.jobs.map((j: { id: string }) => j.id));
  });

  it.each([
    ['format=xml', 'format'],
    ['max=100001', 'max'],
    ['state=DONE', 'state'],
    ['queue=nope', 'unknown queue'],
  ])('%s is a JSON error, not a broken download', async (query, message) => {
    const res = await getJson(service, `/api/jobs/export?${query}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(res.body)).toContain(message);
  });
});
