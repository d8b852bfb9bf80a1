import { JOB_ACTIONS, QUEUE_ACTIONS, type JobAction, type JobRef, type QueueAction, type SourceInfo } from '@jobscope/contract';
import { ApiError } from '../http/errors';
import { SourceUnavailableError, type Capability, type JobSource, type QueueRef, type SourceActions } from './source';

/** What a queue address names: a name, optionally pinned to a source and a prefix. */
export interface QueueSelector {
  name: string;
  source?: string;
  prefix?: string;
}

/**
 * Every source the service reads, and the one place that decides "unknown queue", "unknown job source" and
 * "this source cannot do that": routes ask here, so those answers are the same on every route.
 */
export class SourceRegistry {
  private readonly byId = new Map<string, JobSource>();

  constructor(readonly sources: readonly JobSource[]) {
    for (const s of sources) {
      if (this.byId.has(s.id)) {
        throw new Error(`two sources share the id "${s.id}"`);
      }
      this.byId.set(s.id, s);
    }
  }

  async ready(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.reads.ready()));
  }

  listQueues(): QueueRef[] {
    return this.sources.flatMap((s) => s.reads.listQueues());
  }

  knownQueueNames(): string[] {
    return [...new Set(this.listQueues().map((q) => q.name))];
  }

  /**
   * Throws the 404 for a queue name no source knows. While a source could not read its queue list yet the name may
   * still exist there, so it is let through (the read then fails on its own, e.g. with Redis down).
   */
  async requireQueueNamed(name: string): Promise<void> {
    await this.ready();
    if (this.listQueues().some((q) => q.name === name) || this.sources.some((s) => !s.reads.queuesKnown())) {
      return;
    }
    throw unknownQueue(name, this.knownQueueNames());
  }

  /** The one queue a selector names; 404 when none, 409 when the name exists under several prefixes or sources. */
  async resolveQueue(selector: QueueSelector): Promise<{ source: JobSource; queue: QueueRef }> {
    await this.ready();
    const matches = this.listQueues().filter(
      (q) =>
        q.name === selector.name &&
        (selector.source === undefined || q.source === selector.source) &&
        (selector.prefix === undefined || q.prefix === selector.prefix)
    );
    if (matches.length === 0) {
      if (this.sources.some((s) => !s.reads.queuesKnown())) {
        throw new SourceUnavailableError('the queue list is not known yet: Redis has not been read successfully');
      }
      throw unknownQueue(selector.name, this.knownQueueNames());
    }
    if (matches.length > 1) {
      const where = matches.map((q) => `${q.source} prefix "${q.prefix}"`).join(', ');
      throw new ApiError(
        409,
        'ambiguous_queue',
        `queue "${selector.name}" exists in several places (${where}); say which with "prefix" (and "source")`
      );
    }
    return { source: this.byId.get(matches[0].source)!, queue: matches[0] };
  }

  /** The source of a job; 404 when the source or its queue is unknown. Whether the job exists is the source's word. */
  async resolveJob(ref: JobRef): Promise<JobSource> {
    const source = this.byId.get(ref.source);
    if (!source) {
      throw new ApiError(
        404,
        'unknown_source',
        `no job source "${ref.source}"; sources: ${[...this.byId.keys()].join(', ') || 'none'}`
      );
    }
    await this.ready();
    const known = source.reads.listQueues();
    if (!known.some((q) => q.prefix === ref.prefix && q.name === ref.queue) && source.reads.queuesKnown()) {
      throw unknownQueue(ref.queue, this.knownQueueNames(), ref.prefix);
    }
    return source;
  }

  /** Every source's change marker joined, or null when a source has none (then every read is a full one). */
  async changeMarker(queues?: string[]): Promise<string | null> {
    const markers = await Promise.all(this.sources.map((s) => (s.reads.changeMarker ? s.reads.changeMarker(queues) : null)));
    return markers.some((m) => m === null) ? null : markers.join('|');
  }

  /**
   * Every source with what it can do, as the status reply lists them: the same rule `actionsFor` and `capability`
   * apply, so the UI hides exactly what would answer 405.
   */
  describe(): SourceInfo[] {
    return this.sources.map((s) => ({
      id: s.id,
      label: s.label ?? s.id,
      supports: {
        enqueue: s.enqueue !== undefined,
        actions: s.actions ? [...(s.supports?.jobActions ?? JOB_ACTIONS), ...(s.supports?.queueActions ?? QUEUE_ACTIONS)] : [],
      },
    }));
  }

  /** The source's actions when it supports `action` (its `supports` list), else the 405 saying it does not. */
  actionsFor(source: JobSource, action: JobAction | QueueAction): SourceActions {
    const actions = this.capability(source, 'actions');
    const supported = source.supports ? [...source.supports.jobActions, ...source.supports.queueActions] : null;
    if (supported && !(supported as string[]).includes(action)) {
      throw new ApiError(405, 'not_supported', `source "${source.id}" cannot ${action} (it supports: ${supported.join(', ') || 'none'})`);
    }
    return actions;
  }

  /** A source's optional capability, or the 405 saying the source lacks it. */
  capability<C extends Capability>(source: JobSource, capability: C): NonNullable<JobSource[C]> {
    const found = source[capability];
    if (!found) {
      throw new ApiError(405, 'not_supported', `source "${source.id}" cannot ${capability}`);
    }
    return found as NonNullable<JobSource[C]>;
  }
}

/** 404 for a queue no source knows, listing the ones that exist (the same words on every route). */
export function unknownQueue(queue: string, known: string[], prefix?: string): ApiError {
  const list = known.length ? known.join(', ') : 'none yet';
  const where = prefix === undefined ? '' : ` under prefix "${prefix}"`;
  return new ApiError(404, 'unknown_queue', `unknown queue "${queue}"${where}; known queues: ${list}`);
}
