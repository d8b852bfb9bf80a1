import { Hono } from 'hono';
import { SearchQuerySchema, stateRank, type JobSummary, type SearchResponse } from '@jobscope/contract';
import { validate } from '../http/validate';
import type { SourceRegistry } from '../sources/registry';
import type { SearchRequest } from '../sources/source';

/** `queue=a,b` as names: trimmed, empty items dropped, each once. */
function queueNames(list: string | undefined): string[] {
  return [...new Set((list ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0))];
}

/**
 * `GET /?q=&queue=&state=&limit=&window=` (mounted at `/api/jobs/search`, before `/api/jobs/:jobKey`): jobs whose id
 * is `q`, then jobs whose name, data, result or error contains it, from every source that can search. Each named
 * queue must be known (404 `unknown_queue`). `searched.complete` is false when a source that holds queues in scope
 * cannot search, when a source did not read everything in scope, or when hits were left out by `limit`.
 */
export function searchRoutes(registry: SourceRegistry): Hono {
  const app = new Hono();
  app.get('/', validate('query', SearchQuerySchema, 'invalid_query'), async (c) => {
    const { q, queue, state, limit, window } = c.req.valid('query');
    const queues = queueNames(queue);
    for (const name of queues) {
      await registry.requireQueueNamed(name);
    }
    const request: SearchRequest = { q, queues, state, limit, window };
    // Only sources that hold a queue in scope matter (all of them without a queue filter).
    const inScope = registry.sources.filter(
      (s) => queues.length === 0 || s.reads.listQueues().some((ref) => queues.includes(ref.name))
    );
    const searching = inScope.filter((s) => s.reads.search);
    const results = await Promise.all(searching.map((s) => s.reads.search!(request)));

    // Id matches first, then by state in display order; each source's own order is kept within a state.
    const ranked = results.flatMap((r, sourceOrder) =>
      r.jobs.map((job, position) => ({ job, sourceOrder, position }))
    );
    const key = (j: JobSummary) => (j.id === q ? -1 : stateRank(j.state));
    ranked.sort((a, b) => key(a.job) - key(b.job) || a.sourceOrder - b.sourceOrder || a.position - b.position);
    const jobs = ranked.slice(0, limit).map((r) => r.job);
    const complete =
      searching.length === inScope.length && results.every((r) => r.searched.complete) && ranked.length <= limit;
    const reply: SearchResponse = {
      q,
      jobs,
      searched: { jobs: results.reduce((n, r) => n + r.searched.jobs, 0), window, complete },
    };
    c.header('Cache-Control', 'no-store');
    return c.json(reply, 200);
  });
  return app;
}
