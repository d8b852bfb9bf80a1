import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { CeleryKeys } from './keys';
import { decodeBody, encodeControlRequest, parseEnvelope } from './protocol';

/** Replies by worker hostname, e.g. `{ "w1@host": [ …active tasks… ] }`. */
export type ControlReplies = Record<string, unknown>;

export interface BroadcastOptions {
  timeoutMs: number;
  /** Stop waiting once this many workers answered (the number of live workers, when known). */
  limit?: number | null;
  destination?: string[] | null;
}

/**
 * Celery's remote control (kombu "pidbox") over Redis, as `celery inspect` does it: bind a reply queue, PUBLISH the
 * request on `/<db>.<mailbox>.pidbox`, BRPOP the replies, unbind. The binding and the reply list are transient keys:
 * the one documented case where a read of jobscope writes to Redis (JOBSCOPE_CELERY_INSPECT=false turns it off).
 * Several methods go out at once and share one blocking connection (`BRPOP` on all their reply lists).
 */
export class RemoteControl {
  constructor(
    private readonly redis: Redis,
    /** A connection of its own: BRPOP blocks it. */
    private readonly blocking: Redis,
    private readonly keys: CeleryKeys
  ) {}

  async broadcast(
    calls: Array<{ method: string; args?: Record<string, unknown> }>,
    opts: BroadcastOptions
  ): Promise<ControlReplies[]> {
    const pending = calls.map((c) => {
      const oid = randomUUID();
      return { ...c, oid, replyList: this.keys.replyLists(oid)[0], ticket: randomUUID(), replies: {} as ControlReplies, count: 0 };
    });
    const bindingKey = this.keys.binding(this.keys.replyExchange());
    const members = pending.map((p) => this.keys.replyBindingMember(p.oid));
    // Without the binding the worker's direct-exchange lookup finds no queue and drops the reply silently.
    await this.redis.sadd(bindingKey, ...members);
    try {
      const publish = this.redis.pipeline();
      for (const p of pending) {
        publish.publish(
          this.keys.pidboxChannel(),
          encodeControlRequest({
            method: p.method,
            args: p.args ?? {},
            ticket: p.ticket,
            replyExchange: this.keys.replyExchange(),
            replyTo: p.oid,
            destination: opts.destination ?? null,
            pidboxExchange: this.keys.pidboxExchange(),
            timeoutMs: opts.timeoutMs,
          })
        );
      }
      await publish.exec();
      const deadline = Date.now() + opts.timeoutMs;
      const limit = opts.limit ?? null;
      const done = () => limit !== null && pending.every((p) => p.count >= limit);
      while (!done()) {
        const left = deadline - Date.now();
        if (left <= 0) {
          break;
        }
        const open = pending.filter((p) => limit === null || p.count < limit).map((p) => p.replyList);
        const popped = await this.blocking.brpop(...open, Math.max(0.01, left / 1000));
        if (!popped) {
          break;
        }
        const call = pending.find((p) => p.replyList === popped[0]);
        const env = parseEnvelope(popped[1]);
        if (!call || !env || env.headers?.ticket !== call.ticket) {
          continue; // a late reply to an earlier call
        }
        const body = decodeBody(env);
        if (body.ok && body.value && typeof body.value === 'object') {
          Object.assign(call.replies, body.value);
          call.count += 1;
        }
      }
      return pending.map((p) => p.replies);
    } finally {
      const cleanup = this.redis.pipeline();
      cleanup.srem(bindingKey, ...members);
      cleanup.del(...pending.flatMap((p) => this.keys.replyLists(p.oid)));
      await cleanup.exec().catch(() => undefined);
    }
  }
}
