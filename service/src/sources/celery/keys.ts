/**
 * Every Redis key and channel name the Celery source reads or writes, built in one place. Names follow kombu's
 * Redis transport and Celery's Redis result backend (see the README's Celery section):
 * - broker lists `<keyprefix><queue>` plus priority sub-lists `<queue>\x06\x16<step>`;
 * - bindings `_kombu.binding.<exchange>` (members `routing_key SEP pattern SEP queue`);
 * - pub/sub channels are not db-scoped, so kombu prefixes its own with `/<db>.`; the backend's `celery-task-meta-<id>`
 *   channel has no such prefix (a PSUBSCRIBE sees every db's results: messages are checked against our own keys).
 */
export const KOMBU_SEP = '\x06\x16';
/** kombu's default `priority_steps`: step 0 is the plain list, workers BRPOP the lists in this order. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;
export const META_PREFIX = 'celery-task-meta-';

export interface CeleryKeyOptions {
  /** kombu's `global_keyprefix` broker transport option ('' when unset). */
  keyPrefix: string;
  /** Broker database number (channel names carry it). */
  db: number;
  /** Remote-control mailbox name (Celery's `app.control.mailbox`): `celery` → exchange `celery.pidbox`. */
  mailbox: string;
  /** The default exchange queues are bound to (`task_default_exchange`). */
  exchange: string;
}

export class CeleryKeys {
  constructor(readonly opts: CeleryKeyOptions) {}

  private k(name: string): string {
    return this.opts.keyPrefix + name;
  }

  /** The broker lists of a queue, in the order workers take from them. */
  queueLists(queue: string): string[] {
    return PRIORITY_STEPS.map((step) => (step === 0 ? this.k(queue) : this.k(`${queue}${KOMBU_SEP}${step}`)));
  }

  /** The list a message of `priority` goes to (kombu rounds to the nearest step at or below it). */
  queueListFor(queue: string, priority: number): string {
    const step = [...PRIORITY_STEPS].reverse().find((s) => priority >= s) ?? 0;
    return this.queueLists(queue)[PRIORITY_STEPS.indexOf(step)];
  }

  binding(exchange = this.opts.exchange): string {
    return this.k(`_kombu.binding.${exchange}`);
  }

  /** Queue name from a binding member (`routing_key SEP pattern SEP queue`). */
  static queueOfBinding(member: string): string | null {
    const parts = member.split(KOMBU_SEP);
    return parts.length === 3 && parts[2] ? parts[2] : null;
  }

  // Celery 5.2's Redis result backend does not apply kombu's global_keyprefix: result keys are never prefixed.
  static meta(taskId: string): string {
    return META_PREFIX + taskId;
  }

  static metaPattern(): string {
    return `${META_PREFIX}*`;
  }

  static taskIdOfMeta(keyOrChannel: string): string | null {
    return keyOrChannel.startsWith(META_PREFIX) ? keyOrChannel.slice(META_PREFIX.length) : null;
  }

  private channel(exchange: string, routingKey = ''): string {
    return this.k(`/${this.opts.db}.${exchange}${routingKey ? `/${routingKey}` : ''}`);
  }

  /** Task and worker events (`celeryev` fanout): subscribe with PSUBSCRIBE. */
  eventsPattern(): string {
    return `${this.channel('celeryev')}/*`;
  }

  pidboxExchange(): string {
    return `${this.opts.mailbox}.pidbox`;
  }

  pidboxChannel(): string {
    return this.channel(this.pidboxExchange());
  }

  replyExchange(): string {
    return `reply.${this.opts.mailbox}.pidbox`;
  }

  /** The reply list of one remote-control call and its priority variants. */
  replyLists(oid: string): string[] {
    return this.queueLists(`${oid}.${this.replyExchange()}`);
  }

  replyBindingMember(oid: string): string {
    return `${oid}${KOMBU_SEP}${KOMBU_SEP}${oid}.${this.replyExchange()}`;
  }
}
