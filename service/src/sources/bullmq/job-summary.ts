import { RESULT_EXCERPT_CHARS, TRACEBACK_EXCERPT_CHARS, type JobSummary } from '@jobscope/contract';
import type { RawSnapshotJob } from './snapshot-script';
import { STATE_OF_BULLMQ } from './native-states';
// The script cuts bytes (cheap, inside Redis); excerpt cuts to characters, which is what the contract promises.
import { excerpt } from '../excerpt';


function ms(value: string | null): number | null {
  if (value === null || value === '') {
    return null;
  }
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function iso(msValue: number | null): string | null {
  return msValue === null ? null : new Date(msValue).toISOString();
}

function parseProgress(value: string | null): unknown {
  if (value === null) {
    return null;
  }
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Delayed scores are `due * 4096 + sequence` (BullMQ getDelayedScore.lua). */
const DELAYED_SCORE_FACTOR = 4096;

/** Where a job lives: its JobRef without the id. */
export interface JobPlace {
  source: string;
  prefix: string;
  queue: string;
}

export function toJobSummary(raw: RawSnapshotJob, place: JobPlace, now: number): JobSummary {
  const f = raw.fields;
  const state = STATE_OF_BULLMQ[raw.native];
  const finished = state === 'FAILURE' || state === 'SUCCESS';
  const createdAtMs = ms(f.timestamp);
  const startedAtMs = ms(f.processedOn);
  const finishedAtMs = finished ? ms(f.finishedOn) : null;
  let dueAtMs: number | null = null;
  if (raw.native === 'delayed') {
    const score = Number(raw.sortKey);
    dueAtMs = Number.isFinite(score) && score > 0 ? Math.floor(score / DELAYED_SCORE_FACTOR) : null;
    if (dueAtMs === null && createdAtMs !== null) {
      dueAtMs = createdAtMs + (Number(f.delay) || 0);
    }
  }
  let durationMs: number | null = null;
  if (startedAtMs !== null) {
    if (finishedAtMs !== null) {
      durationMs = Math.max(0, finishedAtMs - startedAtMs);
    } else if (state === 'RUNNING') {
      durationMs = Math.max(0, now - startedAtMs);
    }
  }
  const priority = f.priority === null ? null : Number.parseInt(f.priority, 10);
  return {
    id: raw.id,
    queue: place.queue,
    prefix: place.prefix,
    source: place.source,
    name: f.name ?? '',
    state,
    nativeState: raw.native,
    createdAt: iso(createdAtMs),
    createdAtMs,
    startedAt: iso(state === 'PENDING' || state === 'DELAYED' ? null : startedAtMs),
    startedAtMs: state === 'PENDING' || state === 'DELAYED' ? null : startedAtMs,
    finishedAt: iso(finishedAtMs),
    finishedAtMs,
    dueAt: iso(dueAtMs),
    dueAtMs,
    durationMs: state === 'PENDING' || state === 'DELAYED' ? null : durationMs,
    progress: parseProgress(f.progress),
    attemptsMade: Number(f.atm ?? f.attemptsMade ?? 0) || 0,
    priority: Number.isFinite(priority) && priority !== null && priority > 0 ? priority : null,
    worker: f.pb || null,
    result: excerpt(f.returnvalue, RESULT_EXCERPT_CHARS),
    error: excerpt(f.failedReason, RESULT_EXCERPT_CHARS),
    traceback: excerpt(f.stacktrace, TRACEBACK_EXCERPT_CHARS),
  };
}
