import { Queue, type Job } from 'bullmq';
import type Redis from 'ioredis';
import type { JobState } from '@jobscope/contract';

/** BullMQ state names for `getJobs`, in the service's display order, with the sort each group uses. */
const NAIVE_GROUPS = [
  { type: 'active', state: 'RUNNING', key: (j: Job) => -(j.processedOn ?? 0) },
  { type: 'waiting', state: 'PENDING', key: (j: Job) => -j.timestamp },
  // No access to the zset score (priority * 2^32 + counter): priority, then age, is the best a Job allows.
  { type: 'prioritized', state: 'PENDING', key: (j: Job) => j.priority * 1e15 + j.timestamp },
  { type: 'delayed', state: 'DELAYED', key: (j: Job) => j.timestamp + j.delay },
  { type: 'waiting-children', state: 'WAITING_CHILDREN', key: (j: Job) => -j.timestamp },
  { type: 'failed', state: 'FAILURE', key: (j: Job) => -(j.finishedOn ?? 0) },
  { type: 'completed', state: 'SUCCESS', key: (j: Job) => -(j.finishedOn ?? 0) },
] as const satisfies ReadonlyArray<{ type: string; state: JobState; key: (j: Job) => number }>;

export interface NaiveSnapshot {
  /** `<queue>/<id>` of the top jobs, in order. */
  ids: string[];
  totalJobs: number;
  /** JSON size of what it would send: the top jobs' `asJSON()` plus the per-queue counts. */
  replyBytes: number;
}

/**
 * The status snapshot the way BullMQ's API invites: cached `Queue` objects, per queue `getJobCounts()` plus
 * `getJobs([state], 0, limit - 1)` for every state, then merge and sort in Node. Same order and tie-breaks as the
 * service (state group, time, queue order, position), so the top ids can be compared.
 */
export class NaiveSnapshotter {
  private readonly queues: Queue[];

  constructor(connection: Redis, prefix: string, private readonly names: string[]) {
    this.queues = names.map((name) => {
      const queue = new Queue(name, { connection, prefix, skipMetasUpdate: true, skipVersionCheck: true });
      queue.on('error', () => undefined);
      return queue;
    });
  }

  async snapshot(limit: number, state?: JobState): Promise<NaiveSnapshot> {
    const groups = NAIVE_GROUPS.filter((g) => !state || g.state === state);
    const perQueue = await Promise.all(
      this.queues.map(async (queue) => {
        const [counts, ...lists] = await Promise.all([
          queue.getJobCounts(),
          ...groups.map((g) => queue.getJobs([g.type], 0, limit - 1)),
        ]);
        return { counts, lists };
      })
    );
    const rows: Array<{ job: Job; group: number; sortKey: number; queue: number; position: number }> = [];
    perQueue.forEach(({ lists }, q) => {
      lists.forEach((jobs, g) => {
        const group = groups[g];
        jobs.forEach((job, position) => {
          rows.push({ job, group: NAIVE_GROUPS.indexOf(group), sortKey: group.key(job), queue: q, position });
        });
      });
    });
    // PENDING holds two BullMQ states; the service lists plain waiting before prioritized, as workers take them.
    rows.sort((a, b) => a.group - b.group || a.sortKey - b.sortKey || a.queue - b.queue || a.position - b.position);
    const top = rows.slice(0, limit);
    const counts = perQueue.map((p, q) => ({ queue: this.names[q], counts: p.counts }));
    return {
      ids: top.map((r) => `${this.names[r.queue]}/${r.job.id}`),
      totalJobs: perQueue.reduce((sum, p) => sum + Object.values(p.counts).reduce((a, b) => a + b, 0), 0),
      replyBytes: Buffer.byteLength(JSON.stringify({ jobs: top.map((r) => r.job.asJSON()), queues: counts })),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.queues.map((q) => q.close()));
  }
}
