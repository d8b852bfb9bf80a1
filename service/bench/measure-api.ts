import type Redis from 'ioredis';
import {
  API_PATHS,
  jobPath,
  type JobDetail,
  type JobState,
  type SearchResponse,
  type StatusResponse,
} from '@jobscope/contract';
import { isFailedId } from './dataset';
import { KeepAliveClient, Sampler, type CommandCosts, type LatencyStats, type Measurement } from './measure';

/**
 * The routes beside the status list, timed over HTTP against the same spawned services: job detail, pages far down a
 * finished-job list (cursor), and search. Figures are compared within the run (page N / page 1, big / small history),
 * since absolute times drift between days and with the machine's load.
 */

/** One dataset as these sections need it: where its service listens and which ids it holds. */
export interface ApiStage {
  label: string;
  prefix: string;
  queues: string[];
  httpUrl: string;
  /** History ids fromId..totalIds exist in every queue (every 101st failed). */
  fromId: number;
  totalIds: number;
}

export interface ApiArgs {
  admin: Redis;
  requests: number;
  /** Timed calls of the slow searches (those that read the whole window). */
  slowRequests: number;
  warmup: number;
  rounds: number;
  log: (line: string) => void;
}

/** What a figure's Redis side cost per HTTP request: the scripts (evalsha) and everything Redis ran. */
export interface RedisPerCall {
  /** evalsha µs per request (INFO commandstats delta / requests). */
  scriptUs: number;
  /** evalsha calls per request (a search may run several scripts). */
  scriptCalls: number;
  /** INFO cpu (user + sys) per request, ms. */
  cpuMs: number;
}

export interface Timed {
  latency: LatencyStats;
  redis: RedisPerCall;
  /** Top commands by Redis time per request (commands run inside a script also count under evalsha). */
  commands: CommandCosts;
}

export interface DetailRow {
  kind: 'completed' | 'failed' | 'waiting';
  /** Distinct jobs cycled through. */
  sampled: number;
  /** Mean reply size. */
  replyBytes: number;
  perStage: Array<{ label: string } & Timed>;
  /** p50 at the biggest history / p50 at the smallest. */
  historyRatio: number;
}

export interface PageRow {
  page: number;
  /** Jobs before this page (page - 1) x limit. */
  offset: number;
  timed: Timed;
  /** p50 of this page / p50 of page 1. */
  ratio: number;
  /** Redis script time of this page / of page 1. */
  redisRatio: number;
}

export interface PageWalk {
  view: 'FAILURE' | 'SUCCESS';
  limit: number;
  /** Pages read by following nextCursor (all of them, up to PAGE_WALK_LIMIT). */
  pagesWalked: number;
  jobsWalked: number;
  /** Whether the walk reached the end (a page without nextCursor). */
  reachedEnd: boolean;
  /** Jobs of the state in Redis (from the route's counts): a complete walk must return exactly these. */
  jobsInState: number;
  /** Every job once, newest finished first, through all walked pages. */
  distinct: boolean;
  ordered: boolean;
  walkMsPerPage: number;
  pages: PageRow[];
}

export interface SearchRow {
  case: string;
  q: string;
  query: string;
  perStage: Array<{ label: string; hits: number; searched: SearchResponse['searched']; idHits: number } & Timed>;
  historyRatio: number;
}

export interface ApiResults {
  /** Dataset the pages were walked in (the big one). */
  pagesLabel: string;
  jobsInBig: number;
  detail: DetailRow[];
  paging: PageWalk[];
  search: SearchRow[];
  searchWindow: number;
}

const PAGE_LIMIT = 20;
/** Deepest page followed: 1,000 pages of 20 = the 20,000 newest finished jobs. */
export const PAGE_WALK_LIMIT = 1000;
const TIMED_PAGES = [1, 2, 10, 50, 200, 1000];
export const SEARCH_WINDOW = 1000;
const DETAIL_SAMPLE = 50;

function timed(m: Measurement): Timed {
  const script = m.redisCommands.evalsha ?? { callsPerRequest: 0, usPerRequest: 0 };
  return {
    latency: m.latency,
    redis: { scriptUs: script.usPerRequest, scriptCalls: script.callsPerRequest, cpuMs: m.redisCpuMs },
    commands: m.redisCommands,
  };
}

async function getJson<T>(client: KeepAliveClient, url: string): Promise<{ body: T; bytes: number }> {
  const reply = await client.get(url);
  if (reply.status !== 200) {
    throw new Error(`GET ${url} answered ${reply.status}: ${reply.body.toString().slice(0, 300)}`);
  }
  return { body: JSON.parse(reply.body.toString()) as T, bytes: reply.body.length };
}

/** A sampler cycling through `urls`, each call checked for 200. */
function urlSampler(client: KeepAliveClient, urls: string[], admin: Redis): Sampler {
  let next = 0;
  return new Sampler(async () => {
    const url = urls[next++ % urls.length];
    const reply = await client.get(url);
    if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}`);
  }, admin);
}

/**
 * Runs every sampler `rounds` times in blocks, in alternating order, so a change in machine load hits them alike.
 * `counts[i]` timed calls in all for sampler i.
 */
async function interleaved(samplers: Sampler[], counts: number[], warmup: number, rounds: number): Promise<Measurement[]> {
  for (let i = 0; i < samplers.length; i++) {
    await samplers[i].warmup(Math.min(warmup, counts[i]));
  }
  for (let round = 0; round < rounds; round++) {
    const order = samplers.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      await samplers[i].block(Math.max(1, Math.ceil(counts[i] / rounds)));
    }
  }
  return samplers.map((s) => s.result());
}

/** `count` ids spread evenly over fromId..totalIds that are (not) failed ones, in rotating queues. */
function sampleIds(stage: ApiStage, failed: boolean, count: number): Array<{ queue: string; id: string }> {
  const candidates: number[] = [];
  for (let id = stage.fromId; id <= stage.totalIds; id++) {
    if (isFailedId(id) === failed) candidates.push(id);
  }
  const n = Math.min(count, candidates.length);
  return Array.from({ length: n }, (_, k) => ({
    queue: stage.queues[k % stage.queues.length],
    id: String(candidates[Math.floor((k * (candidates.length - 1)) / Math.max(1, n - 1))]),
  }));
}

const detailUrl = (stage: ApiStage, queue: string, id: string) =>
  `${stage.httpUrl}${jobPath({ source: 'bullmq', prefix: stage.prefix, queue, id })}`;

const EXPECTED_STATE: Record<DetailRow['kind'], JobState> = { completed: 'SUCCESS', failed: 'FAILURE', waiting: 'PENDING' };

async function measureDetail(client: KeepAliveClient, stages: ApiStage[], args: ApiArgs): Promise<DetailRow[]> {
  const kinds: Array<{ kind: DetailRow['kind']; share: number }> = [
    { kind: 'completed', share: 0.5 },
    { kind: 'failed', share: 0.5 },
    { kind: 'waiting', share: 0.25 },
  ];
  const rows: DetailRow[] = [];
  for (const { kind, share } of kinds) {
    const urlsPerStage: string[][] = [];
    let bytes = 0;
    let replies = 0;
    for (const stage of stages) {
      let jobs: Array<{ queue: string; id: string }>;
      if (kind === 'waiting') {
        // Waiting ids come from the route itself: whichever jobs Queue.add left in the wait lists.
        const { body } = await getJson<StatusResponse>(client, `${stage.httpUrl}${API_PATHS.status}?state=PENDING&limit=200`);
        jobs = body.jobs.filter((j) => j.nativeState === 'wait').slice(0, DETAIL_SAMPLE).map((j) => ({ queue: j.queue, id: j.id }));
        if (jobs.length === 0) throw new Error(`${stage.label}: no waiting job to read`);
      } else {
        jobs = sampleIds(stage, kind === 'failed', DETAIL_SAMPLE);
      }
      const urls = jobs.map((j) => detailUrl(stage, j.queue, j.id));
      // Every sampled job once, checked: the right job, in the right state, with its history.
      for (const [k, url] of urls.entries()) {
        const { body, bytes: size } = await getJson<JobDetail>(client, url);
        if (body.id !== jobs[k].id || body.queue !== jobs[k].queue || body.state !== EXPECTED_STATE[kind]) {
          throw new Error(`GET ${url}: expected ${EXPECTED_STATE[kind]} job ${jobs[k].queue}/${jobs[k].id}, got ${body.state} ${body.queue}/${body.id}`);
        }
        if (kind === 'failed' && body.stacktrace.length === 0) throw new Error(`GET ${url}: failed job without stack trace`);
        if (stage === stages[stages.length - 1]) {
          bytes += size;
          replies++;
        }
      }
      urlsPerStage.push(urls);
    }
    const samplers = urlsPerStage.map((urls) => urlSampler(client, urls, args.admin));
    const n = Math.max(args.rounds, Math.round(args.requests * share));
    const results = await interleaved(samplers, samplers.map(() => n), Math.round(args.warmup * share), args.rounds);
    const perStage = stages.map((s, i) => ({ label: s.label, ...timed(results[i]) }));
    const row: DetailRow = {
      kind,
      sampled: urlsPerStage[urlsPerStage.length - 1].length,
      replyBytes: bytes / Math.max(1, replies),
      perStage,
      historyRatio: perStage[perStage.length - 1].latency.p50 / perStage[0].latency.p50,
    };
    rows.push(row);
    args.log(
      `  detail ${kind.padEnd(9)} ` +
        perStage.map((p) => `${p.label} p50 ${p.latency.p50.toFixed(2)} ms p99 ${p.latency.p99.toFixed(2)} ms, script ${p.redis.scriptUs.toFixed(0)} µs`).join(' | ') +
        ` | big/small ${row.historyRatio.toFixed(2)}`
    );
  }
  return rows;
}

const statusUrl = (stage: ApiStage, state: string, cursor: string | null) =>
  `${stage.httpUrl}${API_PATHS.status}?state=${state}&limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;

async function measurePaging(client: KeepAliveClient, stage: ApiStage, args: ApiArgs): Promise<PageWalk[]> {
  const walks: PageWalk[] = [];
  for (const view of ['FAILURE', 'SUCCESS'] as const) {
    // Follow nextCursor from page 1; keep the URL of every page.
    const urls: string[] = [];
    const seen = new Set<string>();
    let distinct = true;
    let ordered = true;
    let lastFinished = Infinity;
    let cursor: string | null = null;
    let reachedEnd = false;
    let jobsInState = 0;
    const started = performance.now();
    while (urls.length < PAGE_WALK_LIMIT) {
      const url = statusUrl(stage, view, cursor);
      const { body } = await getJson<StatusResponse>(client, url);
      if (urls.length === 0) {
        jobsInState = body.queues.reduce((n, q) => n + q.counts[view], 0);
      }
      if (body.jobs.length === 0) {
        reachedEnd = true;
        break;
      }
      urls.push(url);
      for (const j of body.jobs) {
        const key = `${j.queue}/${j.id}`;
        if (seen.has(key)) distinct = false;
        seen.add(key);
        const finished = j.finishedAtMs ?? -Infinity;
        if (finished > lastFinished) ordered = false;
        lastFinished = finished;
      }
      cursor = body.nextCursor;
      if (!cursor) {
        reachedEnd = true;
        break;
      }
    }
    const walkMs = performance.now() - started;
    if (reachedEnd && seen.size !== jobsInState) {
      throw new Error(`${view}: walking every page returned ${seen.size} jobs, the counts say ${jobsInState}`);
    }
    if (!distinct || !ordered) {
      throw new Error(`${view}: pages repeat a job (${!distinct}) or are out of order (${!ordered})`);
    }
    const pages = [...new Set([...TIMED_PAGES.filter((p) => p <= urls.length), urls.length])];
    const samplers = pages.map((p) => urlSampler(client, [urls[p - 1]], args.admin));
    const n = Math.max(args.rounds, Math.round(args.requests / 4));
    const results = (await interleaved(samplers, samplers.map(() => n), Math.round(args.warmup / 4), args.rounds)).map(timed);
    const first = results[0];
    const walk: PageWalk = {
      view,
      limit: PAGE_LIMIT,
      pagesWalked: urls.length,
      jobsWalked: seen.size,
      reachedEnd,
      jobsInState,
      distinct,
      ordered,
      walkMsPerPage: walkMs / Math.max(1, urls.length),
      pages: pages.map((page, i) => ({
        page,
        offset: (page - 1) * PAGE_LIMIT,
        timed: results[i],
        ratio: results[i].latency.p50 / first.latency.p50,
        redisRatio: results[i].redis.scriptUs / first.redis.scriptUs,
      })),
    };
    walks.push(walk);
    args.log(
      `  pages ${view.padEnd(7)} walked ${walk.pagesWalked} pages (${walk.jobsWalked.toLocaleString('en-US')} of ${jobsInState.toLocaleString('en-US')} jobs${reachedEnd ? ', to the end' : ''}), ` +
        walk.pages.map((p) => `p${p.page} ${p.timed.latency.p50.toFixed(2)} ms (x${p.ratio.toFixed(2)})`).join(', ')
    );
  }
  return walks;
}

/** An id of the newest history, so both datasets hold it (in every queue), and a completed one. */
function sharedCompletedId(stages: ApiStage[]): string {
  const from = Math.max(...stages.map((s) => s.fromId));
  const to = Math.min(...stages.map((s) => s.totalIds));
  let id = Math.floor((from + to) / 2);
  while (isFailedId(id)) id++;
  return String(id);
}

async function measureSearch(client: KeepAliveClient, stages: ApiStage[], args: ApiArgs): Promise<SearchRow[]> {
  const id = sharedCompletedId(stages);
  const queues = stages[0].queues.length;
  const cases: Array<{ case: string; q: string; params: string; requests: number }> = [
    // limit = queues: the id pass alone fills the page, so no text pass runs.
    { case: 'exact id (id pass only)', q: id, params: `limit=${queues}`, requests: Math.round(args.requests / 4) },
    // Default limit: after the id pass, the id is also searched as text over the whole window.
    { case: 'exact id + text pass', q: id, params: '', requests: args.slowRequests },
    { case: 'no match (whole window)', q: 'no-such-text-zq', params: '', requests: args.slowRequests },
    { case: 'many matches (stops at limit)', q: 'example.com', params: '', requests: Math.round(args.requests / 4) },
  ];
  const rows: SearchRow[] = [];
  for (const c of cases) {
    const query = `q=${encodeURIComponent(c.q)}&window=${SEARCH_WINDOW}${c.params ? `&${c.params}` : ''}`;
    const urls = stages.map((s) => `${s.httpUrl}${API_PATHS.search}?${query}`);
    const firsts = await Promise.all(urls.map((u) => getJson<SearchResponse>(client, u)));
    const samplers = urls.map((u) => urlSampler(client, [u], args.admin));
    const n = Math.max(args.rounds, c.requests);
    const results = (await interleaved(samplers, samplers.map(() => n), Math.min(args.warmup, Math.ceil(n / 10)), args.rounds)).map(timed);
    const perStage = stages.map((s, i) => {
      const { body } = firsts[i];
      return { label: s.label, hits: body.jobs.length, idHits: body.jobs.filter((j) => j.id === c.q).length, searched: body.searched, ...results[i] };
    });
    const row: SearchRow = {
      case: c.case, q: c.q, query, perStage,
      historyRatio: perStage[perStage.length - 1].latency.p50 / perStage[0].latency.p50,
    };
    rows.push(row);
    args.log(
      `  search ${c.case.padEnd(29)} ` +
        perStage.map((p) => `${p.label} p50 ${p.latency.p50.toFixed(1)} ms, script ${p.redis.scriptUs.toFixed(0)} µs in ${p.redis.scriptCalls.toFixed(0)} calls, ` +
          `${p.hits} hits, read ${p.searched.jobs.toLocaleString('en-US')}${p.searched.complete ? ' (complete)' : ''}`).join(' | ')
    );
  }
  return rows;
}

/** Job detail and search on every stage (for big / small), pages on the last (biggest) one. */
export async function measureApi(stages: ApiStage[], jobsInBig: number, args: ApiArgs): Promise<ApiResults> {
  const client = new KeepAliveClient();
  try {
    args.log('job detail (GET /api/jobs/<jobKey>):');
    const detail = await measureDetail(client, stages, args);
    args.log(`pages (limit ${PAGE_LIMIT}, following nextCursor):`);
    const big = stages[stages.length - 1];
    const paging = await measurePaging(client, big, args);
    args.log(`search (window ${SEARCH_WINDOW}):`);
    const search = await measureSearch(client, stages, args);
    return { pagesLabel: big.label, jobsInBig, detail, paging, search, searchWindow: SEARCH_WINDOW };
  } finally {
    client.close();
  }
}
