import type Redis from 'ioredis';
import { API_PATHS, type JobState, type StatusResponse } from '@jobscope/contract';
import { KeepAliveClient, Sampler, type Measurement } from './measure';
import type { NaiveSnapshotter } from './naive-snapshot';
import type { ServiceUnderTest } from './service-under-test';

export interface View {
  /** Label in the tables, e.g. `all`, `SUCCESS`, `SUCCESS/200`. */
  name: string;
  state?: Extract<JobState, 'SUCCESS' | 'FAILURE'>;
  limit: number;
  /** Share of --requests and --naive-requests for this view (slow views get fewer, to keep the run short). */
  share: number;
}

/**
 * `all` is the default list (running, then waiting); `SUCCESS`/`FAILURE` read the big zsets and finished hashes;
 * `SUCCESS/200` is the largest page the API allows, where per-request work grows with queues x limit.
 */
export const VIEWS: View[] = [
  { name: 'all', limit: 20, share: 1 },
  { name: 'SUCCESS', state: 'SUCCESS', limit: 20, share: 1 },
  { name: 'FAILURE', state: 'FAILURE', limit: 20, share: 1 },
  { name: 'SUCCESS/200', state: 'SUCCESS', limit: 200, share: 0.25 },
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
  prefix: string;
  completedPerQueue: number;
  failedPerQueue: number;
  /** Sum of every queue's counts as the route reports them. */
  totalJobs: number;
  naiveTotalJobs: number;
  views: ViewResult[];
}

/** One dataset under test: its HTTP endpoint, in-process service and naive reader. */
export interface Stage {
  label: string;
  prefix: string;
  completedPerQueue: number;
  failedPerQueue: number;
  /** Base URL the HTTP figures are taken from (the spawned service, or the in-process one with --no-spawn). */
  httpUrl: string;
  sut: ServiceUnderTest;
  naive: NaiveSnapshotter;
}

export interface MeasureArgs {
  admin: Redis;
  requests: number;
  naiveRequests: number;
  warmup: number;
  /** Blocks per figure; the stages' blocks alternate so a load change on the machine hits all of them alike. */
  rounds: number;
  log: (line: string) => void;
}

function viewUrl(base: string, view: View): string {
  return `${base}${API_PATHS.status}?limit=${view.limit}${view.state ? `&state=${view.state}` : ''}`;
}

/** Times every view on every stage, interleaved: for each view, `rounds` rounds of one block per stage and method. */
export async function measureStages(stages: Stage[], args: MeasureArgs): Promise<StageResult[]> {
  const client = new KeepAliveClient();
  const results: StageResult[] = stages.map((s) => ({
    label: s.label, prefix: s.prefix, completedPerQueue: s.completedPerQueue, failedPerQueue: s.failedPerQueue,
    totalJobs: 0, naiveTotalJobs: 0, views: [],
  }));
  const perBlock = (total: number) => Math.max(1, Math.ceil(total / args.rounds));
  try {
    for (const view of VIEWS) {
      const runs = stages.map((stage) => {
        const url = viewUrl(stage.httpUrl, view);
        const query = { limit: view.limit, ...(view.state ? { state: view.state } : {}) };
        return {
          url,
          http: new Sampler(async () => {
            const reply = await client.get(url);
            if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}`);
          }, args.admin),
          inProcess: new Sampler(() => stage.sut.service.snapshots.get(query), args.admin),
          naive: new Sampler(() => stage.naive.snapshot(view.limit, view.state), args.admin),
        };
      });
      const firsts = await Promise.all(
        stages.map(async (stage, i) => {
          const reply = await client.get(runs[i].url);
          if (reply.status !== 200) {
            throw new Error(`GET ${runs[i].url} answered ${reply.status}: ${reply.body.toString().slice(0, 300)}`);
          }
          return { reply, body: JSON.parse(reply.body.toString()) as StatusResponse, naive: await stage.naive.snapshot(view.limit, view.state) };
        })
      );
      const requests = Math.max(args.rounds, Math.round(args.requests * view.share));
      const naiveRuns = Math.max(args.rounds, Math.round(args.naiveRequests * view.share));
      const warmup = Math.round(args.warmup * view.share);
      for (const run of runs) {
        await run.http.warmup(warmup);
        await run.inProcess.warmup(Math.ceil(warmup / 2));
        await run.naive.warmup(Math.min(3, args.warmup));
      }
      for (let round = 0; round < args.rounds; round++) {
        // Alternate which stage goes first, so neither always follows the naive calls' garbage.
        const order = round % 2 === 0 ? runs : [...runs].reverse();
        for (const run of order) {
          await run.http.block(perBlock(requests));
          await run.inProcess.block(perBlock(Math.ceil(requests / 2)));
          await run.naive.block(perBlock(naiveRuns));
        }
      }
      stages.forEach((stage, i) => {
        const { reply, body, naive } = firsts[i];
        const ourTop = body.jobs.map((j) => `${j.queue}/${j.id}`);
        const sameTop = ourTop.length === naive.ids.length && ourTop.every((id, k) => id === naive.ids[k]);
        results[i].totalJobs = body.queues.reduce((sum, q) => sum + Object.values(q.nativeCounts).reduce((a, b) => a + b, 0), 0);
        results[i].naiveTotalJobs = naive.totalJobs;
        const r: ViewResult = {
          view: view.name, limit: view.limit, http: runs[i].http.result(), inProcess: runs[i].inProcess.result(),
          naive: runs[i].naive.result(), replyBytes: reply.body.length, naiveReplyBytes: naive.replyBytes,
          ourTop, naiveTop: naive.ids, sameTop,
        };
        results[i].views.push(r);
        args.log(
          `  ${stage.label.padEnd(8)} ${view.name.padEnd(11)} ours p50 ${r.http.latency.p50.toFixed(2)} ms p99 ${r.http.latency.p99.toFixed(2)} ms` +
            ` | naive p50 ${r.naive.latency.p50.toFixed(1)} ms | top-${view.limit} ${sameTop ? 'same' : 'DIFFERENT'}`
        );
      });
    }
    return results;
  } finally {
    client.close();
  }
}
