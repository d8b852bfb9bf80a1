import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import {
  EXPORT_COLUMNS,
  ExportQuerySchema,
  JOB_STATES,
  STATUS_MAX_LIMIT,
  StatusQuerySchema,
  type JobState,
  type JobSummary,
  type StatusQuery,
} from '@jobscope/contract';
import { validate } from '../http/validate';
import { validationError } from '../http/errors';
import type { SnapshotService } from '../snapshot/snapshot-service';
import { csvRow } from '../export/csv';

/**
 * `GET /api/jobs/export?format=csv|json&<filters>&max=`: the view's jobs as a download, read through the status
 * route's cursor pages (200 jobs a page, state by state in display order) and written as they come, so memory stays
 * flat in the number of rows. Reads only; the first page is read before the answer starts, so a bad filter or a
 * Redis outage is still a JSON error.
 */
export function exportRoutes(snapshots: SnapshotService): Hono {
  const app = new Hono();
  app.get('/', validate('query', ExportQuerySchema), async (c) => {
    const { format, max, ...filters } = c.req.valid('query');
    const parsed = StatusQuerySchema.safeParse({ ...stripUndefined(filters), limit: String(STATUS_MAX_LIMIT) });
    if (!parsed.success) {
      throw validationError('invalid_query', parsed.error);
    }
    const base = parsed.data;
    const states: JobState[] = base.state ? [base.state] : [...JOB_STATES];
    const pages = pagesOf(snapshots, base, states, max);
    const first = await pages.next();

    const view = [base.state ?? 'all', ...(base.queue ?? [])].join('-').replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
    const time = new Date().toISOString().replace(/[:.]/g, '-');
    c.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="jobscope-${view}-${time}.${format}"`);
    c.header('Cache-Control', 'no-store');
    return stream(c, async (out) => {
      let written = 0;
      await out.write(format === 'csv' ? csvRow([...EXPORT_COLUMNS]) : '[');
      const write = async (jobs: JobSummary[]) => {
        let chunk = '';
        for (const job of jobs) {
          if (format === 'csv') {
            chunk += csvRow(EXPORT_COLUMNS.map((col) => job[col]));
          } else {
            chunk += `${written > 0 ? ',' : ''}\n${JSON.stringify(job)}`;
          }
          written++;
        }
        await out.write(chunk);
      };
      let page = first;
      while (!page.done && !out.aborted) {
        await write(page.value);
        page = await pages.next();
      }
      if (format === 'json') {
        await out.write('\n]\n');
      }
    });
  });
  return app;
}

/** Jobs of each state in turn, page after page, up to `max` in all. */
async function* pagesOf(snapshots: SnapshotService, base: StatusQuery, states: JobState[], max: number): AsyncGenerator<JobSummary[]> {
  let left = max;
  for (const state of states) {
    let cursor: string | undefined;
    while (left > 0) {
      const limit = Math.min(STATUS_MAX_LIMIT, left);
      const page = await snapshots.read({ ...base, state, limit, cursor });
      const jobs = page.jobs.slice(0, left);
      left -= jobs.length;
      if (jobs.length > 0) {
        yield jobs;
      }
      if (!page.nextCursor || jobs.length < limit) {
        break;
      }
      cursor = page.nextCursor;
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
