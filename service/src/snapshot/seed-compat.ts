import { SEED_RECENT_JOBS, STATUS_MAX_LIMIT, type JobSummary, type SeedStatusResponse, type StatusResponse } from '@jobscope/contract';

/** The seed's order: what runs, what waits, what Celery calls started or retrying, what failed, what succeeded. */
const SEED_RANK: Record<string, number> = { RUNNING: 0, PENDING: 1, STARTED: 2, RETRY: 2, FAILURE: 3, REVOKED: 3, SUCCESS: 4 };

/** A job's state in the seed's (Celery's) words. */
export function seedStateOf(job: JobSummary): string {
  switch (job.state) {
    case 'RUNNING':
      // Celery's backend says STARTED but no live worker confirms it: the seed showed these apart.
      return job.source === 'celery' && job.nativeState === 'STARTED' ? 'STARTED' : 'RUNNING';
    case 'DELAYED':
      return job.source === 'celery' && job.nativeState === 'RETRY' ? 'RETRY' : 'PENDING';
    case 'PENDING':
    case 'WAITING_CHILDREN':
      return 'PENDING';
    case 'FAILURE':
      return job.source === 'celery' && job.nativeState === 'REVOKED' ? 'REVOKED' : 'FAILURE';
    case 'SUCCESS':
      return 'SUCCESS';
  }
}

/** How many jobs to read so the seed's re-ordering still finds its top 20. */
export const SEED_READ_LIMIT = STATUS_MAX_LIMIT;

export function toSeedStatus(status: StatusResponse): SeedStatusResponse {
  const recentJobs = status.jobs
    .map((job, order) => ({ job, order, state: seedStateOf(job) }))
    .sort((a, b) => SEED_RANK[a.state] - SEED_RANK[b.state] || a.order - b.order)
    .slice(0, SEED_RECENT_JOBS)
    .map(({ job, state }) => ({
      id: job.id,
      name: job.name,
      state,
      timestamp: job.finishedAt ?? job.startedAt ?? job.createdAt ?? job.dueAt,
      worker: job.worker,
      result: state === 'SUCCESS' ? job.result : job.error,
      traceback: job.traceback,
    }));
  return { recentJobs };
}
