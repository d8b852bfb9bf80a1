import type Redis from 'ioredis';
import type { Logger } from '../../logger';
import type { CeleryKeys } from './keys';
import { decodeBody, parseCeleryTime, parseEnvelope } from './protocol';
import type { RemoteControl } from './remote-control';

/** A task some worker holds right now: running, prefetched, or waiting for its ETA. */
export interface LiveTask {
  id: string;
  native: 'ACTIVE' | 'RESERVED' | 'SCHEDULED';
  name: string | null;
  worker: string | null;
  queue: string | null;
  startedMs: number | null;
  dueMs: number | null;
  args: string | null;
  kwargs: string | null;
  retries: number;
  /** When jobscope learnt this (an event's arrival, or the inspect call's start). */
  seenMs: number;
}

export interface CeleryWorker {
  hostname: string;
  lastSeenMs: number;
  /** Heartbeat frequency (s), when the worker sends events. */
  freq: number | null;
  active: number | null;
  processed: number | null;
  swVersion: string | null;
}

export interface LiveViewOptions {
  /** Background inspect (remote control): on unless JOBSCOPE_CELERY_INSPECT=false. */
  inspect: boolean;
  intervalMs: number;
  /** Polls run only while someone looked within this long. */
  watchMs: number;
  timeoutMs: number;
  logger: Logger;
}

/** Celery's own rule (events.state): a worker is offline once its heartbeat is twice its frequency late. */
const HEARTBEAT_EXPIRE_FACTOR = 2;
/** A worker that answered inspect counts as alive this long (two polls and a timeout). */
const REPLY_ALIVE_MS = 10_000;

const pyRepr = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * What workers hold now. Two feeds, both optional: task and worker events (`-E`; PSUBSCRIBE `/<db>.celeryev/*`),
 * and remote-control inspect `active`/`reserved`/`scheduled`, polled every `intervalMs` only while someone is
 * looking (the transient reply keys are inspect's documented write). Inspect answers replace what the previous
 * poll said; events that arrive after a poll began overlay it (and a finished event removes a task at once).
 */
export class LiveView {
  private fromEvents = new Map<string, LiveTask>();
  private finished = new Map<string, number>();
  private polled: { atMs: number; tasks: Map<string, LiveTask> } | null = null;
  private readonly workers = new Map<string, CeleryWorker>();
  private lastWatchMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;
  /** Whether any task or worker event ever arrived (workers run with `-E`). */
  eventsSeen = false;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly keys: CeleryKeys,
    private readonly control: RemoteControl | null,
    private readonly opts: LiveViewOptions
  ) {}

  async start(): Promise<void> {
    this.subscriber.on('pmessage', (_p: string, channel: string, message: string) => {
      if (channel.startsWith(this.keys.eventsPattern().slice(0, -1))) {
        this.onEvent(message);
      }
    });
    await this.subscriber.psubscribe(this.keys.eventsPattern()).catch((err: Error) => {
      this.opts.logger.warn({ err: err.message }, 'celery: event channel not subscribed yet; retrying on reconnect');
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) {
      clearTimeout(this.timer);
    }
  }

  /**
   * Someone is looking: keep polling for the next `watchMs`. The first look waits for one poll (bounded by the
   * inspect timeout) so a fresh service does not answer "nothing running".
   */
  async watch(): Promise<void> {
    this.lastWatchMs = Date.now();
    if (!this.control || !this.opts.inspect || this.closed) {
      return;
    }
    if (!this.timer && !this.polling) {
      this.schedule(0);
    }
    if (!this.polled && this.polling) {
      await this.polling;
    }
  }

  /** Tasks workers hold now, by id. */
  tasks(now = Date.now()): Map<string, LiveTask> {
    const out = new Map<string, LiveTask>();
    const polled = this.polled && now - this.polled.atMs < REPLY_ALIVE_MS ? this.polled : null;
    if (polled) {
      for (const [id, t] of polled.tasks) {
        out.set(id, t);
      }
    }
    for (const [id, t] of this.fromEvents) {
      if (!polled || t.seenMs >= polled.atMs || !out.has(id)) {
        out.set(id, t);
      }
    }
    for (const [id, doneMs] of this.finished) {
      const t = out.get(id);
      if (t && doneMs >= t.seenMs) {
        out.delete(id);
      }
    }
    return out;
  }

  /** Workers alive now: heartbeats within Celery's expiry window, or an inspect answer in the last polls. */
  liveWorkers(now = Date.now()): CeleryWorker[] {
    const alive = new Map<string, CeleryWorker>();
    for (const w of this.workers.values()) {
      const window = w.freq ? w.freq * 1000 * HEARTBEAT_EXPIRE_FACTOR : REPLY_ALIVE_MS;
      if (now - w.lastSeenMs <= window) {
        alive.set(w.hostname, w);
      }
    }
    return [...alive.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
  }

  /** Whether anything tells us about workers at all (events or inspect answers); false: "unknown". */
  knowsWorkers(): boolean {
    return this.eventsSeen || this.polled !== null;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.poll().finally(() => {
        this.polling = null;
        if (!this.closed && Date.now() - this.lastWatchMs < this.opts.watchMs) {
          this.schedule(this.opts.intervalMs);
        }
      });
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const atMs = Date.now();
    try {
      const known = this.liveWorkers(atMs).length;
      // Stop waiting once every live worker answered; without a count, the pidbox bindings (one per worker
      // mailbox; a SIGKILLed worker's stays) are the estimate.
      const limit = known > 0 ? known : await this.redis.scard(this.keys.binding(this.keys.pidboxExchange()));
      const [active, reserved, scheduled] = await this.control!.broadcast(
        [{ method: 'active' }, { method: 'reserved' }, { method: 'scheduled' }],
        { timeoutMs: this.opts.timeoutMs, limit: limit > 0 ? limit : null }
      );
      const tasks = new Map<string, LiveTask>();
      const workers = new Set<string>();
      const collect = (replies: Record<string, unknown>, native: LiveTask['native']) => {
        for (const [worker, list] of Object.entries(replies)) {
          workers.add(worker);
          if (!Array.isArray(list)) {
            continue;
          }
          for (const item of list as Array<Record<string, unknown>>) {
            const request = (native === 'SCHEDULED' ? item.request : item) as Record<string, unknown> | undefined;
            if (!request || typeof request.id !== 'string') {
              continue;
            }
            const deliveryInfo = request.delivery_info as { routing_key?: string } | undefined;
            tasks.set(request.id, {
              id: request.id,
              native,
              name: typeof request.name === 'string' ? request.name : null,
              worker,
              queue: deliveryInfo?.routing_key ?? null,
              startedMs: typeof request.time_start === 'number' ? request.time_start * 1000 : null,
              dueMs: native === 'SCHEDULED' ? parseCeleryTime(item.eta) : null,
              args: pyRepr(request.args),
              kwargs: pyRepr(request.kwargs),
              retries: 0,
              seenMs: atMs,
            });
          }
        }
      };
      collect(active, 'ACTIVE');
      collect(reserved, 'RESERVED');
      collect(scheduled, 'SCHEDULED');
      for (const w of workers) {
        const known = this.workers.get(w);
        this.workers.set(w, { hostname: w, freq: null, active: null, processed: null, swVersion: null, ...known, lastSeenMs: Date.now() });
      }
      this.polled = { atMs, tasks };
      this.pruneFinished(atMs);
    } catch (err) {
      this.opts.logger.debug({ err: (err as Error).message }, 'celery: inspect failed');
    }
  }

  /** The result backend says the task is done: drop it now rather than at the next poll. */
  markFinished(id: string): void {
    this.fromEvents.delete(id);
    this.finished.set(id, Date.now());
  }

  private pruneFinished(now: number): void {
    for (const [id, ms] of this.finished) {
      if (now - ms > 60_000) {
        this.finished.delete(id);
      }
    }
  }

  private onEvent(message: string): void {
    const env = parseEnvelope(message);
    const body = env ? decodeBody(env) : null;
    if (!body?.ok) {
      return;
    }
    const events = Array.isArray(body.value) ? body.value : [body.value];
    for (const ev of events as Array<Record<string, unknown>>) {
      if (ev && typeof ev.type === 'string') {
        this.eventsSeen = true;
        this.apply(ev);
      }
    }
  }

  private apply(ev: Record<string, unknown>): void {
    const now = Date.now();
    const hostname = typeof ev.hostname === 'string' ? ev.hostname : null;
    if (ev.type === 'worker-heartbeat' || ev.type === 'worker-online') {
      if (hostname) {
        this.workers.set(hostname, {
          hostname,
          lastSeenMs: now,
          freq: typeof ev.freq === 'number' ? ev.freq : null,
          active: typeof ev.active === 'number' ? ev.active : null,
          processed: typeof ev.processed === 'number' ? ev.processed : null,
          swVersion: typeof ev.sw_ver === 'string' ? ev.sw_ver : null,
        });
      }
      return;
    }
    if (ev.type === 'worker-offline') {
      if (hostname) {
        this.workers.delete(hostname);
        for (const [id, t] of this.fromEvents) {
          if (t.worker === hostname) {
            this.fromEvents.delete(id);
          }
        }
      }
      return;
    }
    const id = typeof ev.uuid === 'string' ? ev.uuid : null;
    if (!id) {
      return;
    }
    const known = this.fromEvents.get(id);
    switch (ev.type) {
      case 'task-received': {
        const dueMs = parseCeleryTime(ev.eta);
        this.fromEvents.set(id, {
          id,
          native: dueMs !== null && dueMs > now ? 'SCHEDULED' : 'RESERVED',
          name: typeof ev.name === 'string' ? ev.name : null,
          worker: hostname,
          queue: null,
          startedMs: null,
          dueMs,
          args: pyRepr(ev.args),
          kwargs: pyRepr(ev.kwargs),
          retries: typeof ev.retries === 'number' ? ev.retries : 0,
          seenMs: now,
        });
        this.finished.delete(id);
        return;
      }
      case 'task-started':
        this.fromEvents.set(id, {
          ...(known ?? { id, name: null, queue: null, dueMs: null, args: null, kwargs: null, retries: 0 }),
          native: 'ACTIVE',
          worker: hostname ?? known?.worker ?? null,
          startedMs: typeof ev.timestamp === 'number' ? ev.timestamp * 1000 : now,
          seenMs: now,
        });
        return;
      case 'task-succeeded':
      case 'task-failed':
      case 'task-revoked':
      case 'task-rejected':
      case 'task-retried':
        this.fromEvents.delete(id);
        this.finished.set(id, now);
        return;
    }
  }
}
