import type { RedisClient } from '../../redis/topology';
import {
  DETAIL_MAX_CHILDREN,
  DETAIL_TRACE_MAX_BYTES,
  DETAIL_VALUE_MAX_BYTES,
  type JobDetail,
  type JobRef,
} from '@jobscope/contract';
import { LuaScript } from './lua-script';
import { BULLMQ_NATIVE_STATES, STATE_OF_BULLMQ, type BullMQNativeState } from './native-states';
import { FIELD_NAMES, type RawJobFields } from './snapshot-script';
import { toJobSummary } from './job-summary';
import { keyBase } from './queue-set';

type Value = string | number | false | null;
type DetailReply = [number, string, number, number, number, number[], Value[], ...Value[]] | null;

export const jobDetailScript = new LuaScript<DetailReply>('jobscopeJobDetail', 'job-detail.lua');

/** Longest wait/active list LPOS walks to tell where a job is; beyond it a job still in a list reads as `wait`. */
const LIST_SCAN_LIMIT = 100_000;
/** The script's fields after the summary's (job-detail.lua DETAIL_FIELDS). */
const DETAIL_FIELDS = ['data', 'opts', 'ats', 'deid', 'parentKey'] as const;

function parseJson(text: string | null): unknown {
  if (text === null) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const text = (v: Value | undefined) => (v === false || v === null || v === undefined ? null : String(v));
const num = (v: string | null) => (v === null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

/** A BullMQ job key `<prefix>:<queue>:<id>` as a JobRef (queue names and ids hold no `:`, prefixes may). */
export function refOfJobKey(source: string, key: string): JobRef | null {
  const m = /^(.+):([^:]+):([^:]+)$/.exec(key);
  return m ? { source, prefix: m[1], queue: m[2], id: m[3] } : null;
}

function nativeAt(index: number): BullMQNativeState | null {
  return BULLMQ_NATIVE_STATES[index - 1] ?? null;
}

/**
 * One BullMQ job with its payload, flow and history from one read-only script call. A job whose hash exists but that
 * sits in no state list found within the scan limit (e.g. deep in a huge wait list) is reported as `wait`.
 */
export async function readJobDetail(client: RedisClient, ref: JobRef, now: number): Promise<JobDetail | null> {
  const reply = await jobDetailScript.run(client, [keyBase({ prefix: ref.prefix, name: ref.queue })], [
    ref.id,
    DETAIL_VALUE_MAX_BYTES,
    LIST_SCAN_LIMIT,
    DETAIL_TRACE_MAX_BYTES,
    DETAIL_MAX_CHILDREN,
  ]);
  if (reply === null) {
    return null;
  }
  const [nativeIndex, sortKey, dataBytes, returnBytes, logCount, counts, children, ...values] = reply;
  const fields = Object.fromEntries(FIELD_NAMES.map((name, k) => [name, text(values[k])])) as RawJobFields;
  const extra = Object.fromEntries(DETAIL_FIELDS.map((name, k) => [name, text(values[FIELD_NAMES.length + k])])) as Record<
    (typeof DETAIL_FIELDS)[number],
    string | null
  >;
  const native = nativeAt(Number(nativeIndex)) ?? 'wait';
  const summary = toJobSummary({ queueIndex: 0, native, id: ref.id, sortKey: String(sortKey), fields }, ref, now);
  const stack = parseJson(fields.stacktrace);
  const stacktrace = Array.isArray(stack) ? stack.map(String) : [];

  const items: JobDetail['children']['items'] = [];
  for (let i = 0; i + 1 < children.length && items.length < DETAIL_MAX_CHILDREN; i += 2) {
    const childRef = refOfJobKey(ref.source, String(children[i]));
    if (childRef) {
      const childNative = nativeAt(Number(children[i + 1]));
      items.push({ ref: childRef, state: childNative ? STATE_OF_BULLMQ[childNative] : null, nativeState: childNative ?? 'unknown' });
    }
  }

  const delayMs = num(fields.delay);
  const timeline: JobDetail['timeline'] = [{ event: 'created', atMs: summary.createdAtMs, detail: null }];
  if (delayMs && delayMs > 0) {
    timeline.push({ event: 'delayed-until', atMs: summary.dueAtMs ?? (summary.createdAtMs ?? 0) + delayMs, detail: `${delayMs} ms delay` });
  }
  // BullMQ keeps one stack trace entry per failed attempt but not when each happened.
  for (const entry of stacktrace) {
    timeline.push({ event: 'attempt-failed', atMs: null, detail: entry.split('\n')[0] });
  }
  if (summary.startedAtMs !== null) {
    timeline.push({ event: 'started', atMs: summary.startedAtMs, detail: summary.worker ? `by ${summary.worker}` : null });
  }
  if (summary.finishedAtMs !== null) {
    timeline.push({ event: 'finished', atMs: summary.finishedAtMs, detail: summary.state });
  }

  return {
    ...summary,
    data: {
      text: extra.data,
      truncated: extra.data !== null && Buffer.byteLength(extra.data) < Number(dataBytes),
      bytes: Number(dataBytes),
    },
    returnValue: {
      text: fields.returnvalue,
      truncated: fields.returnvalue !== null && Buffer.byteLength(fields.returnvalue) < Number(returnBytes),
      bytes: Number(returnBytes),
    },
    failedReason: fields.failedReason,
    stacktrace,
    opts: parseJson(extra.opts) ?? {},
    attemptsStarted: num(extra.ats) ?? summary.attemptsMade,
    delayMs: delayMs && delayMs > 0 ? delayMs : null,
    deduplicationId: extra.deid,
    parent: extra.parentKey ? refOfJobKey(ref.source, extra.parentKey) : null,
    children: {
      processed: Number(counts[0]),
      unprocessed: Number(counts[1]),
      failed: Number(counts[2]),
      ignored: Number(counts[3]),
      items,
    },
    logCount: Number(logCount),
    timeline,
  };
}
