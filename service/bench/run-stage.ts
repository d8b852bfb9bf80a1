import type Redis from 'ioredis';
import { API_PATHS, type JobState, type StatusResponse } from '@jobscope/contract';
import { KeepAliveClient, measureSequential, type Measurement } from './measure';
import type { NaiveSnapshotter } from './naive-snapshot';
import type { ServiceUnderTest } from './service-under-test';

export interface View {
  /** Label in the tables, e.g. `all`, `SUCCESS`, `SUCCESS/200`. */
  name: string;
  state?: Extract<JobState, 'SUCCESS' | 'FAILURE'>;
  limit: number;
  /** Share of --naive-requests for this view (its naive call is slow). */
  naiveShare: number;
}

/**
 * `all` is the default list (running, then waiting); `SUCCESS`/`FAILURE` read the big zsets and finished hashes;
 * `SUCCESS/200` is the largest page the API allows, where per-request work grows with queues x limit.
 */
export const VIEWS: View[] = [
  { name: 'all', limit: 20, naiveShare: 1 },
  { name: 'SUCCESS', state: 'SUCCESS', limit: 20, naiveShare: 1 },
  { name: 'FAILURE', state: 'FAILURE', limit: 20, naiveShare: 1 },
  { name: 'SUCCESS/200', state: 'SUCCESS', limit: 200, naiveShare: 0.25 },
];

export interface ViewResult {
  view: string;
  limit: number;
  /** The route over HTTP (keep-alive, loopback): the headline figure. */
  http: Measurement;
  /** `snapshots.get()` called in-process: the same work without HTTP and JSON. */
  inProcess: Measurement;
  naive: Measurement;
  replyBytes: number;
  naiveReplyBytes: number;
  ourTop: string[];
  naiveTop: string[];
  sameTop: boolean;
}

export interface StageResult {
  label: string;
  completedPerQueue: number;
  failedPerQueue: number;
  /** Sum of every queue's counts as the route reports them. */
  totalJobs: number;
  naiveTotalJobs: number;
  redisKeys: number;
  redisUsedMemoryMb: number;
  views: ViewResult[];
}

export interface StageArgs {
  label: string;
  completedPerQueue: number;
  failedPerQueue: number;
  /** Base URL the HTTP figures are taken from (the spawned service, or the in-process one with --no-spawn). */
  httpUrl: string;
  /** The in-process service, for the in-process column. */
  sut: ServiceUnderTest;
  naive: NaiveSnapshotter;
  admin: Redis;
  requests: number;
  naiveRequests: number;
  warmup: number;
  log: (line: string) => void;
}

function viewUrl(base: string, view: View): string {
  return `${base}${API_PATHS.status}?limit=${view.limit}${view.state ? `&state=${view.state}` : ''}`;
}

export async function runStage(args: StageArgs): Promise<StageResult> {
  const client = new KeepAliveClient();
  const views: ViewResult[] = [];
  let totalJobs = 0;
  let naiveTotalJobs = 0;
  try {
    for (const view of VIEWS) {
      const url = viewUrl(args.httpUrl, view);
      const first = await client.get(url);
      if (first.status !== 200) {
        throw new Error(`GET ${url} answered ${first.status}: ${first.body.toString().slice(0, 300)}`);
      }
      const body = JSON.parse(first.body.toString()) as StatusResponse;
      const ourTop = body.jobs.map((j) => `${j.queue}/${j.id}`);
      totalJobs = body.queues.reduce((sum, q) => sum + Object.values(q.nativeCounts).reduce((a, b) => a + b, 0), 0);

      const http = await measureSequential(args.requests, args.warmup, async () => {
        const reply = await client.get(url);
        if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}`);
      }, args.admin);
      const query = { limit: view.limit, ...(view.state ? { state: view.state } : {}) };
      const inProcess = await measureSequential(Math.ceil(args.requests / 2), Math.ceil(args.warmup / 2), () =>
        args.sut.service.snapshots.get(query), args.admin);

      const naiveFirst = await args.naive.snapshot(view.limit, view.state);
      naiveTotalJobs = naiveFirst.totalJobs;
      const naiveRuns = Math.max(3, Math.round(args.naiveRequests * view.naiveShare));
      const naive = await measureSequential(naiveRuns, Math.min(3, args.warmup), () =>
        args.naive.snapshot(view.limit, view.state), args.admin);

      const sameTop = ourTop.length === naiveFirst.ids.length && ourTop.every((id, i) => id === naiveFirst.ids[i]);
      views.push({
        view: view.name, limit: view.limit, http, inProcess, naive, replyBytes: first.body.length, naiveReplyBytes: naiveFirst.replyBytes,
        ourTop, naiveTop: naiveFirst.ids, sameTop,
      });
      args.log(
        `  ${args.label} ${view.name.padEnd(11)} ours p50 ${http.latency.p50.toFixed(2)} ms p99 ${http.latency.p99.toFixed(2)} ms` +
          ` | naive p50 ${naive.latency.p50.toFixed(1)} ms | top-${view.limit} ${sameTop ? 'same' : 'DIFFERENT'}`
      );
    }
    const [keys, memory] = await Promise.all([args.admin.dbsize(), args.admin.info('memory')]);
    const used = Number(/^used_memory:(\d+)/m.exec(memory)?.[1] ?? NaN);
    return {
      label: args.label,
      completedPerQueue: args.completedPerQueue,
      failedPerQueue: args.failedPerQueue,
      totalJobs,
      naiveTotalJobs,
      redisKeys: keys,
      redisUsedMemoryMb: used / 2 ** 20,
      views,
    };
  } finally {
    client.close();
  }
}
