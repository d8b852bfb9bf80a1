import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { EnqueueResponse, JobRef, ParsedEnqueueRequest } from '@jobscope/contract';
import {
  ActionNotSupportedError,
  InvalidRequestError,
  JobNotFoundError,
  NoListenerError,
  OutcomeUnknownError,
  WrongStateError,
  type QueueRef,
  type SourceActions,
  type SourceEnqueue,
} from '../source';
import { CeleryKeys } from './keys';
import { CELERY_READY_STATES } from './native-states';
import { encodeTaskMessage } from './protocol';
import type { RemoteControl } from './remote-control';
import type { CelerySource } from './celery-source';

/** kombu's Redis priorities run 0–9 (0 is taken first). */
const MAX_PRIORITY = 9;
const REVOKE_TIMEOUT_MS = 1000;
/** How long a cancel of one task holds its jobscope-owned lock (the worker needs a moment to report REVOKED). */
const CANCEL_LOCK_MS = 10_000;
const CANCEL_LOCK_PREFIX = 'jobscope:celery:cancel:';
/**
 * A rerun holds its jobscope-owned lock this long after it won: a second retry that arrives just after the first one
 * finished would otherwise find the task's result gone (and the worker not yet reporting it) and answer 404, not 409.
 */
const RETRY_LOCK_MS = 5000;
const RETRY_LOCK_PREFIX = 'jobscope:celery:retry:';

const rerunLua = fs.readFileSync(path.join(__dirname, 'rerun.lua'), 'utf8');

/** What `data` means for a Celery task: `{args, kwargs}`, a list of args, or an object of kwargs. */
export function celeryArguments(data: unknown): { args: unknown[]; kwargs: Record<string, unknown> } {
  if (Array.isArray(data)) {
    return { args: data, kwargs: {} };
  }
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    const keys = Object.keys(d);
    if (keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
      if (d.args !== undefined && !Array.isArray(d.args)) {
        throw new InvalidRequestError('args must be a list', 'data.args');
      }
      if (d.kwargs !== undefined && (d.kwargs === null || typeof d.kwargs !== 'object' || Array.isArray(d.kwargs))) {
        throw new InvalidRequestError('kwargs must be an object', 'data.kwargs');
      }
      return { args: (d.args as unknown[]) ?? [], kwargs: (d.kwargs as Record<string, unknown>) ?? {} };
    }
    return { args: [], kwargs: d };
  }
  if (data === null || data === undefined) {
    return { args: [], kwargs: {} };
  }
  throw new InvalidRequestError('Celery task data must be {"args": [...], "kwargs": {...}}, a list of args or an object of kwargs', 'data');
}

/** Sends a task message as `apply_async` does: LPUSH on the queue's broker list (per priority step). */
export class CeleryEnqueue implements SourceEnqueue {
  constructor(private readonly source: CelerySource) {}

  async add(queue: QueueRef, request: ParsedEnqueueRequest): Promise<EnqueueResponse> {
    if (request.opts.attempts !== undefined) {
      throw new InvalidRequestError('Celery tasks set their own retries (max_retries); attempts is not supported', 'opts.attempts');
    }
    const priority = request.opts.priority ?? 0;
    if (priority > MAX_PRIORITY) {
      throw new InvalidRequestError(`Celery on Redis takes priorities 0–${MAX_PRIORITY}`, 'opts.priority');
    }
    const { args, kwargs } = celeryArguments(request.data);
    const id = randomUUID();
    const eta = request.opts.delay ? new Date(Date.now() + request.opts.delay) : null;
    const message = encodeTaskMessage({ id, task: request.name, queue: queue.name, args, kwargs, eta, priority });
    await this.source.broker.lpush(this.source.keys.queueListFor(queue.name, priority), message);
    return { source: queue.source, prefix: queue.prefix, queue: queue.name, id, state: eta ? 'DELAYED' : 'PENDING' };
  }
}

type RerunRedis = Redis & { jobscopeCeleryRerun(n: number, ...keysAndArgs: string[]): Promise<number> };

function withRerun(client: Redis): RerunRedis {
  const c = client as RerunRedis;
  if (typeof c.jobscopeCeleryRerun !== 'function') {
    c.defineCommand('jobscopeCeleryRerun', { lua: rerunLua });
  }
  return c;
}

/**
 * Celery's own actions: cancel is `revoke` over the remote control (with `terminate` for a running task), retry
 * reruns a finished task from its stored arguments (`result_extended`). BullMQ's other actions have no Celery
 * equivalent and answer 405.
 */
export class CeleryActions implements SourceActions {
  constructor(
    private readonly source: CelerySource,
    private readonly control: RemoteControl
  ) {}

  async retry(ref: JobRef): Promise<void> {
    // One rerun at a time per task: of two users retrying at once, one wins and the other gets a 409.
    const lock = `${RETRY_LOCK_PREFIX}${ref.id}`;
    if ((await this.source.broker.set(lock, '1', 'PX', RETRY_LOCK_MS, 'NX')) !== 'OK') {
      const view = await this.source.view(ref);
      throw new WrongStateError(view?.native ?? 'PENDING', `task ${ref.id} is already being run again`);
    }
    try {
      await this.rerun(ref);
    } catch (err) {
      await this.source.broker.del(lock).catch(() => undefined);
      throw err;
    }
  }

  private async rerun(ref: JobRef): Promise<void> {
    const view = await this.source.view(ref);
    if (!view) {
      throw new JobNotFoundError(ref);
    }
    const stored = await this.source.readMeta(ref.id);
    if (!stored || !CELERY_READY_STATES.has(stored.meta.status)) {
      throw new WrongStateError(view.native, `task ${ref.id} is ${view.native}: only finished tasks can be run again`);
    }
    const { meta, raw } = stored;
    if (typeof meta.name !== 'string' || !Array.isArray(meta.args)) {
      throw new WrongStateError(view.native, `task ${ref.id} cannot be run again: its name and arguments were not stored (enable result_extended)`);
    }
    const message = encodeTaskMessage({
      id: ref.id,
      task: meta.name,
      queue: ref.queue,
      args: meta.args,
      kwargs: (meta.kwargs as Record<string, unknown>) ?? {},
      eta: null,
      priority: 0,
    });
    const shared = this.source.results === this.source.broker;
    const list = this.source.keys.queueListFor(ref.queue, 0);
    const keys = shared ? [CeleryKeys.meta(ref.id), list] : [CeleryKeys.meta(ref.id)];
    const won = await withRerun(this.source.results).jobscopeCeleryRerun(keys.length, ...keys, raw, message);
    if (won !== 1) {
      throw new WrongStateError(view.native, `task ${ref.id} changed while retrying (another retry won)`);
    }
    if (!shared) {
      try {
        await this.source.broker.lpush(list, message);
      } catch (err) {
        throw new OutcomeUnknownError(`task ${ref.id}: its result was cleared but the message may not have been sent: ${(err as Error).message}`);
      }
    }
    this.source.index.delete(ref.id);
  }

  async cancel(ref: JobRef, _reason: string): Promise<number> {
    const view = await this.source.view(ref);
    if (!view) {
      throw new JobNotFoundError(ref);
    }
    if (CELERY_READY_STATES.has(view.native)) {
      throw new WrongStateError(view.native, `task ${ref.id} has already finished (${view.native})`);
    }
    // One cancel at a time per task: a second user gets a 409 instead of a second revoke.
    const lock = await this.source.broker.set(`${CANCEL_LOCK_PREFIX}${ref.id}`, '1', 'PX', CANCEL_LOCK_MS, 'NX');
    if (lock !== 'OK') {
      throw new WrongStateError(view.native, `task ${ref.id} is already being cancelled`);
    }
    const workers = this.source.live.liveWorkers().length;
    const [replies] = await this.control.broadcast(
      [{ method: 'revoke', args: { task_id: [ref.id], terminate: view.native === 'ACTIVE' || view.native === 'STARTED', signal: 'SIGTERM' } }],
      { timeoutMs: REVOKE_TIMEOUT_MS, limit: workers > 0 ? workers : null }
    );
    const delivered = Object.keys(replies).length;
    if (delivered === 0) {
      await this.source.broker.del(`${CANCEL_LOCK_PREFIX}${ref.id}`);
      throw new NoListenerError(`no Celery worker answered the revoke of task ${ref.id} (are workers running with remote control?)`);
    }
    return delivered;
  }

  async remove(): Promise<void> {
    throw notForCelery('remove');
  }
  async promote(): Promise<void> {
    throw notForCelery('promote');
  }
  async pause(): Promise<void> {
    throw notForCelery('pause');
  }
  async resume(): Promise<void> {
    throw notForCelery('resume');
  }
  async retryFailed(): Promise<number> {
    throw notForCelery('retry-failed');
  }
  async clean(): Promise<number> {
    throw notForCelery('clean');
  }
  async isPaused(): Promise<boolean> {
    return false;
  }
}

function notForCelery(action: string): ActionNotSupportedError {
  return new ActionNotSupportedError(`${action} is not supported for Celery tasks (Celery has no such operation)`);
}
