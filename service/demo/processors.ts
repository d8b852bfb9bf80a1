import type { Job } from 'bullmq';

/** Waits `ms`, or rejects with the cancel reason as soon as jobscope cancels the job (enableRemoteCancel). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      return reject(cancelled(signal));
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(signal: AbortSignal): Error {
  return new Error(`cancelled: ${String(signal.reason ?? 'no reason given')}`);
}

/**
 * What any demo job understands in its data, so a job started from the UI can be steered:
 * `{"durationMs": 5000}` runs that long with progress, `{"fail": true}` throws (and retries if attempts > 1).
 * Every processor stops at once when jobscope cancels its job (the AbortSignal BullMQ passes as the 3rd argument).
 */
export interface DemoJobData {
  durationMs?: number;
  fail?: boolean | string;
  [key: string]: unknown;
}

function steer(data: DemoJobData, fallbackMs: number): { ms: number; fail: string | null } {
  const ms = typeof data.durationMs === 'number' && data.durationMs >= 0 ? Math.min(data.durationMs, 120_000) : fallbackMs;
  const fail = data.fail ? (typeof data.fail === 'string' ? data.fail : 'requested failure (data.fail)') : null;
  return { ms, fail };
}

async function runWithProgress(job: Job, ms: number, steps: number, signal?: AbortSignal): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    await sleep(ms / steps, signal);
    await job.updateProgress(Math.round((i / steps) * 100));
  }
}

/** topology-discovery: slow scans that report progress; some devices time out and the scan retries. */
export async function topologyDiscovery(job: Job<DemoJobData>, _token?: string, signal?: AbortSignal): Promise<unknown> {
  const { ms, fail } = steer(job.data, 3000 + Math.random() * 5000);
  await runWithProgress(job, ms, 10, signal);
  if (fail || (job.name === 'scan-network' && Math.random() < 0.15)) {
    throw new Error(fail ?? `device ${Math.ceil(Math.random() * 254)} did not answer SNMP within 2 s`);
  }
  return { devices: Math.floor(20 + Math.random() * 200), links: Math.floor(50 + Math.random() * 500) };
}

/** email: quick sends; the SMTP relay sometimes answers 451 and the job retries with backoff. */
export async function email(job: Job<DemoJobData>, _token?: string, signal?: AbortSignal): Promise<unknown> {
  const { ms, fail } = steer(job.data, 200 + Math.random() * 800);
  await sleep(ms, signal);
  if (fail || Math.random() < 0.15) {
    throw new Error(fail ?? '451 4.7.1 temporary failure: try again later');
  }
  return { messageId: `<${job.id}.${Date.now()}@demo.jobscope>`, to: job.data.to ?? 'ops@example.com' };
}

/** reports: a parent waits for its section children (a flow), then assembles their results. */
export async function reports(job: Job<DemoJobData>, _token?: string, signal?: AbortSignal): Promise<unknown> {
  if (job.name === 'assemble-report') {
    const sections = await job.getChildrenValues();
    return { sections: Object.keys(sections).length, pages: Object.values(sections).reduce(
      (sum: number, v) => sum + (typeof v === 'object' && v && 'pages' in v ? Number((v as { pages: number }).pages) : 0),
      0
    ) };
  }
  const { ms, fail } = steer(job.data, 1000 + Math.random() * 3000);
  await runWithProgress(job, ms, 5, signal);
  if (fail) {
    throw new Error(fail);
  }
  return { pages: Math.ceil(Math.random() * 12) };
}

export const PROCESSORS = {
  'topology-discovery': topologyDiscovery,
  email,
  reports,
} as const;
export type DemoQueueName = keyof typeof PROCESSORS;
export const DEMO_QUEUES = Object.keys(PROCESSORS) as DemoQueueName[];
