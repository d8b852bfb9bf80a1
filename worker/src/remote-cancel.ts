import { Relay, type ConnectionOptions, type Worker } from 'bullmq';

/**
 * Remote cancel between jobscope and a BullMQ worker fleet, over BullMQ's `Relay`: jobscope publishes on one topic per
 * queue, every worker of that queue that enabled remote cancel receives it and calls `worker.cancelJob`, which aborts
 * the `AbortSignal` BullMQ passes to the processor. The worker that runs the job aborts it; the others ignore it.
 */
export const REMOTE_CANCEL_NAMESPACE = 'jobscope';

/** Relay topics are dot-separated, and queue names may contain dots: the name travels hex-encoded. */
export function cancelTopic(queueName: string): string {
  return `cancel.${Buffer.from(queueName, 'utf8').toString('hex')}`;
}

export interface CancelMessage {
  jobId: string;
  reason: string;
}

export function isCancelMessage(data: unknown): data is CancelMessage {
  const m = data as CancelMessage | null;
  return !!m && typeof m.jobId === 'string' && typeof m.reason === 'string';
}

export interface RemoteCancelOptions {
  /** Connection for the relay (a new connection is made from it; the worker's own stays untouched). */
  connection: ConnectionOptions;
  /** The worker's key prefix; default `bull`. */
  prefix?: string;
}

export interface RemoteCancel {
  /** Stops listening (also done when the worker closes). */
  close(): Promise<void>;
}

/**
 * Lets jobscope cancel this worker's running jobs. Resolves once the subscription is live.
 *
 *   const worker = new Worker('email', async (job, token, signal) => { ... }, { connection });
 *   await enableRemoteCancel(worker, { connection });
 */
export async function enableRemoteCancel(worker: Worker, opts: RemoteCancelOptions): Promise<RemoteCancel> {
  const relay = new Relay({
    connection: opts.connection,
    prefix: opts.prefix ?? 'bull',
    namespace: REMOTE_CANCEL_NAMESPACE,
    name: `worker:${worker.name}`,
  });
  // Relay errors (e.g. a Redis blip) must not crash the worker process; the relay recovers by itself.
  relay.on('error', () => undefined);
  await relay.waitUntilReady();
  const subscription = await relay.subscribe(cancelTopic(worker.name), (message) => {
    if (!message.retained && isCancelMessage(message.data)) {
      worker.cancelJob(message.data.jobId, message.data.reason);
    }
  });
  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      await subscription.unsubscribe().catch(() => undefined);
      await relay.close();
    })());
  worker.once('closed', () => void close());
  return { close };
}
