import { Job, type Queue } from 'bullmq';
import type { RedisClient } from '../../redis/topology';
import type { JobRef } from '@jobscope/contract';
import { cancelTopic, type CancelMessage } from '@jobscope/worker';
import {
  JobNotFoundError,
  NoListenerError,
  SourceUnavailableError,
  WrongStateError,
  type QueueRef,
  type SourceActions,
} from '../source';
import type { QueueCache } from './queue-cache';
import { RelayCache } from './relay-cache';
import { keyBase } from './queue-set';
import { redisErrorText } from '../../redis/error-text';

/** Jobs one BullMQ batched call moves or removes: each call blocks Redis for a bounded time (see the benchmark). */
export const ACTION_BATCH = 1000;

type FinishedState = 'failed' | 'completed';

/**
 * BullMQ's own calls for every action; BullMQ's scripts check the state atomically. When a call fails, the job's state
 * is read again: a job that left the expected state (another user acted first) is a 409 naming where it is now, a job
 * that is gone a 404, anything else Redis trouble (503) — BullMQ's error texts are never parsed.
 */
export class BullMQActions implements SourceActions {
  private readonly relays: RelayCache;

  constructor(
    private readonly client: RedisClient,
    private readonly queues: QueueCache
  ) {
    this.relays = new RelayCache(client);
  }

  close(): Promise<void> {
    return this.relays.closeAll();
  }

  private queueOf(ref: { prefix: string; queue: string }): Queue {
    try {
      return this.queues.get(ref.prefix, ref.queue);
    } catch (err) {
      throw new SourceUnavailableError(redisErrorText(err));
    }
  }

  /** The job and its state now; 404 when it does not exist. */
  private async load(ref: JobRef): Promise<{ job: Job; state: string }> {
    const queue = this.queueOf(ref);
    const job = await Job.fromId(queue, ref.id).catch(unavailable);
    if (!job) {
      throw new JobNotFoundError(ref);
    }
    return { job, state: nativeStateOf(await job.getState().catch(unavailable)) };
  }

  /** Runs `act` when the job is in one of `allowed`; on failure decides 404/409/503 from the state read afterwards. */
  private async inState<T>(ref: JobRef, allowed: readonly string[], what: string, act: (job: Job, state: string) => Promise<T>): Promise<T> {
    const { job, state } = await this.load(ref);
    if (!allowed.includes(state)) {
      throw wrongState(ref, state, what, allowed);
    }
    try {
      return await act(job, state);
    } catch (err) {
      const after = await Job.fromId(this.queueOf(ref), ref.id).catch(() => undefined);
      if (after === null) {
        throw new JobNotFoundError(ref);
      }
      const now = after ? nativeStateOf(await after.getState().catch(() => 'unknown')) : null;
      if (now !== null && now !== state) {
        throw wrongState(ref, now, what, allowed);
      }
      if (err instanceof WrongStateError) {
        throw err;
      }
      throw new SourceUnavailableError(`could not ${what} the job: ${redisErrorText(err)}`);
    }
  }

  retry(ref: JobRef): Promise<void> {
    return this.inState(ref, ['failed', 'completed'], 'retry', (job, state) => job.retry(state as FinishedState));
  }

  promote(ref: JobRef): Promise<void> {
    return this.inState(ref, ['delayed'], 'promote', (job) => job.promote());
  }

  /** Children go with their parent (BullMQ's default): a flow is removed whole, never left with orphans. */
  remove(ref: JobRef): Promise<void> {
    const removable = ['wait', 'paused', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed', 'unknown'];
    return this.inState(ref, removable, 'remove', async () => {
      const removed = await this.queueOf(ref).remove(ref.id, { removeChildren: true });
      if (removed !== 1) {
        // 0: the job or one of its children holds a lock (a worker just took it).
        throw new WrongStateError('active', `cannot remove job "${ref.id}": it or one of its children is running; cancel it first`);
      }
    });
  }

  async cancel(ref: JobRef, reason: string): Promise<number> {
    const { state } = await this.load(ref);
    if (state !== 'active') {
      throw wrongState(ref, state, 'cancel', ['active']);
    }
    const relay = await this.relays.get(ref.prefix).catch(unavailable);
    const message: CancelMessage = { jobId: ref.id, reason };
    const result = await relay.publish(cancelTopic(ref.queue), message).catch(unavailable);
    if (result.endpoints === 0) {
      throw new NoListenerError(
        `no worker of queue "${ref.queue}" accepts remote cancel (workers enable it with enableRemoteCancel from @jobscope/worker)`
      );
    }
    return result.endpoints;
  }

  async pause(queue: QueueRef): Promise<void> {
    await this.queueOf({ prefix: queue.prefix, queue: queue.name }).pause().catch(unavailable);
  }

  async resume(queue: QueueRef): Promise<void> {
    await this.queueOf({ prefix: queue.prefix, queue: queue.name }).resume().catch(unavailable);
  }

  isPaused(queue: QueueRef): Promise<boolean> {
    return this.queueOf({ prefix: queue.prefix, queue: queue.name }).isPaused().catch(unavailable);
  }

  /**
   * BullMQ's `moveJobsToWait` in batches of ACTION_BATCH, oldest failure first, only jobs that had failed when the
   * request came (a job failing meanwhile is not retried by it). The count is read before each batch.
   */
  async retryFailed(queue: QueueRef, limit: number): Promise<number> {
    const q = this.queueOf({ prefix: queue.prefix, queue: queue.name });
    const until = Date.now();
    // BullMQ's backend call behind Queue.retryJobs, one batch at a time (retryJobs itself loops until none is left).
    const backend = q.getBackend() as unknown as {
      retryFinishedJobs(state: FinishedState, count: number, timestamp: number): Promise<number>;
    };
    const failedKey = `${keyBase(queue)}failed`;
    let touched = 0;
    try {
      while (touched < limit) {
        const count = Math.min(ACTION_BATCH, limit - touched);
        const due = await this.client.zcount(failedKey, 0, until);
        if (due === 0) {
          break;
        }
        await backend.retryFinishedJobs('failed', count, until);
        touched += Math.min(count, due);
      }
    } catch (err) {
      throw new SourceUnavailableError(`retried ${touched} job(s), then: ${redisErrorText(err)}`);
    }
    return touched;
  }

  /** BullMQ's `clean` in batches of ACTION_BATCH until `limit` jobs are removed or none is old enough. */
  async clean(queue: QueueRef, request: { state: 'SUCCESS' | 'FAILURE'; olderThanMs: number; limit: number }): Promise<number> {
    const q = this.queueOf({ prefix: queue.prefix, queue: queue.name });
    const set: FinishedState = request.state === 'SUCCESS' ? 'completed' : 'failed';
    let touched = 0;
    try {
      while (touched < request.limit) {
        const count = Math.min(ACTION_BATCH, request.limit - touched);
        const removed = await q.clean(request.olderThanMs, count, set);
        touched += removed.length;
        if (removed.length < count) {
          break;
        }
      }
    } catch (err) {
      throw new SourceUnavailableError(`removed ${touched} job(s), then: ${redisErrorText(err)}`);
    }
    return touched;
  }
}

/** BullMQ's getState says `waiting` where its key (and our nativeState) says `wait`. */
function nativeStateOf(state: string): string {
  return state === 'waiting' ? 'wait' : state;
}

function unavailable(err: unknown): never {
  throw new SourceUnavailableError(redisErrorText(err));
}

function wrongState(ref: JobRef, state: string, what: string, allowed: readonly string[]): WrongStateError {
  return new WrongStateError(
    state,
    `cannot ${what} job "${ref.id}": it is ${state === 'unknown' ? 'in no state list' : state}; ${what} applies to ${allowed.filter((s) => s !== 'unknown').join(', ')} jobs`
  );
}
