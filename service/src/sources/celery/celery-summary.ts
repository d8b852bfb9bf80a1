import {
  DETAIL_TRACE_MAX_BYTES,
  DETAIL_VALUE_MAX_BYTES,
  RESULT_EXCERPT_CHARS,
  TRACEBACK_EXCERPT_CHARS,
  type JobDetail,
  type JobSummary,
} from '@jobscope/contract';
import { excerpt } from '../excerpt';
import { CELERY_READY_STATES, STATE_OF_CELERY, type CeleryNativeState } from './native-states';
import type { TaskMessage } from './protocol';
import type { CeleryMeta } from './result-feed';
import type { LiveTask } from './live-view';

/** Everything jobscope knows of one task, from whichever feeds have it. */
export interface CeleryTaskView {
  id: string;
  queue: string;
  native: CeleryNativeState;
  live?: LiveTask;
  message?: TaskMessage;
  meta?: CeleryMeta;
  /** The index's time for it (finish time of a finished task, first seen otherwise). */
  indexMs?: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function json(value: unknown): string | null {
  if (value === undefined) {
    return null;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Celery's serialized exception (`{exc_type, exc_message}`) as one line, e.g. `ValueError: boom`. */
export function errorText(result: unknown): string | null {
  if (result && typeof result === 'object' && 'exc_type' in result) {
    const r = result as { exc_type?: unknown; exc_message?: unknown };
    const message = Array.isArray(r.exc_message) ? r.exc_message.map(String).join(', ') : r.exc_message == null ? '' : String(r.exc_message);
    return message ? `${String(r.exc_type)}: ${message}` : String(r.exc_type);
  }
  return result === undefined || result === null ? null : (json(result) ?? null);
}

/** A Python traceback's last lines say what failed: keep its end. */
function tracebackTail(traceback: string | null | undefined, chars: number): string | null {
  if (!traceback) {
    return null;
  }
  const codePoints = Array.from(traceback);
  return codePoints.length > chars ? `…${codePoints.slice(codePoints.length - chars + 1).join('')}` : traceback;
}

export function toCelerySummary(t: CeleryTaskView, source: string, prefix: string, now: number): JobSummary {
  const state = STATE_OF_CELERY[t.native];
  const finished = CELERY_READY_STATES.has(t.native);
  const meta = t.meta;
  // The backend's STARTED carries no time: jobscope's first sight of it stands in.
  const startedAtMs = t.live?.startedMs ?? (t.native === 'STARTED' ? (t.indexMs ?? null) : null);
  const finishedAtMs = finished ? (t.indexMs ?? null) : null;
  const dueAtMs = t.live?.dueMs ?? (t.message?.eta ? Date.parse(t.message.eta) : null);
  const failed = t.native === 'FAILURE' || t.native === 'REVOKED' || t.native === 'REJECTED' || t.native === 'RETRY';
  const customState = meta && !CELERY_READY_STATES.has(meta.status) && meta.status !== 'STARTED' && meta.status !== 'RETRY';
  return {
    id: t.id,
    queue: t.queue,
    prefix,
    source,
    name: meta?.name ?? t.live?.name ?? t.message?.task ?? '(unknown task)',
    state,
    nativeState: t.native,
    createdAt: null,
    createdAtMs: null,
    startedAt: iso(startedAtMs),
    startedAtMs,
    finishedAt: iso(finishedAtMs),
    finishedAtMs,
    dueAt: iso(Number.isFinite(dueAtMs) ? dueAtMs : null),
    dueAtMs: Number.isFinite(dueAtMs) ? dueAtMs : null,
    durationMs: state === 'RUNNING' && startedAtMs !== null ? Math.max(0, now - startedAtMs) : null,
    // A custom state written with update_state (e.g. PROGRESS) carries the task's own progress report.
    progress: customState ? (meta.result ?? null) : null,
    attemptsMade: meta?.retries ?? t.message?.retries ?? t.live?.retries ?? 0,
    priority: t.message?.priority ?? null,
    worker: meta?.worker ?? t.live?.worker ?? null,
    result: t.native === 'SUCCESS' ? excerpt(json(meta?.result), RESULT_EXCERPT_CHARS) : null,
    error: failed ? excerpt(errorText(meta?.result), RESULT_EXCERPT_CHARS) : null,
    traceback: failed ? tracebackTail(meta?.traceback, TRACEBACK_EXCERPT_CHARS) : null,
  };
}

function truncated(text: string | null): JobDetail['data'] {
  if (text === null) {
    return { text: null, truncated: false, bytes: 0 };
  }
  const bytes = Buffer.byteLength(text);
  if (bytes <= DETAIL_VALUE_MAX_BYTES) {
    return { text, truncated: false, bytes };
  }
  return { text: Buffer.from(text).subarray(0, DETAIL_VALUE_MAX_BYTES).toString('utf8'), truncated: true, bytes };
}

/** The task's arguments as Celery stored them (meta with result_extended, the message, or the worker's repr). */
function argumentsText(t: CeleryTaskView): string | null {
  if (t.meta && ('args' in t.meta || 'kwargs' in t.meta)) {
    return json({ args: t.meta.args ?? [], kwargs: t.meta.kwargs ?? {} });
  }
  if (t.message) {
    if (t.message.unreadable) {
      return json({ unreadable: `body serialized as ${t.message.unreadable}`, argsrepr: t.message.argsrepr, kwargsrepr: t.message.kwargsrepr });
    }
    return json({ args: t.message.args ?? [], kwargs: t.message.kwargs ?? {} });
  }
  if (t.live) {
    return json({ argsrepr: t.live.args, kwargsrepr: t.live.kwargs });
  }
  return null;
}

export function toCeleryDetail(t: CeleryTaskView, source: string, prefix: string, now: number): JobDetail {
  const summary = toCelerySummary(t, source, prefix, now);
  const meta = t.meta;
  const failedReason = summary.error !== null ? errorText(meta?.result) : null;
  const parentId = meta?.parent_id ?? t.message?.parentId ?? null;
  const timeline: JobDetail['timeline'] = [];
  if (summary.dueAtMs !== null) {
    timeline.push({ event: 'delayed-until', atMs: summary.dueAtMs, detail: null });
  }
  if (summary.startedAtMs !== null) {
    timeline.push({ event: 'started', atMs: summary.startedAtMs, detail: summary.worker });
  }
  if (summary.finishedAtMs !== null) {
    timeline.push({ event: 'finished', atMs: summary.finishedAtMs, detail: t.native });
  }
  return {
    ...summary,
    data: truncated(argumentsText(t)),
    returnValue: truncated(t.native === 'SUCCESS' ? json(meta?.result) : null),
    failedReason,
    stacktrace: meta?.traceback ? [Buffer.from(meta.traceback).subarray(-DETAIL_TRACE_MAX_BYTES).toString('utf8')] : [],
    opts: {
      queue: t.queue,
      eta: t.message?.eta ?? null,
      retries: summary.attemptsMade,
      origin: t.message?.origin ?? null,
      redelivered: t.message?.redelivered ?? false,
      rootId: t.message?.rootId ?? null,
    },
    attemptsStarted: summary.attemptsMade + (summary.startedAtMs !== null || summary.finishedAtMs !== null ? 1 : 0),
    delayMs: null,
    deduplicationId: null,
    // A retried task names itself as parent: only a different task is a parent.
    parent: parentId && parentId !== t.id ? { source, prefix, queue: t.queue, id: parentId } : null,
    children: { processed: 0, unprocessed: 0, failed: 0, ignored: 0, items: [] },
    logCount: 0,
    timeline,
  };
}
