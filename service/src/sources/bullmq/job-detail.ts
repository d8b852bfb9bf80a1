import type Redis from 'ioredis';
import { DETAIL_VALUE_MAX_BYTES, type JobDetail, type JobRef } from '@jobscope/contract';
import { LuaScript } from './lua-script';
import { BULLMQ_NATIVE_STATES, type BullMQNativeState } from './native-states';
import { FIELD_NAMES, type RawJobFields } from './snapshot-script';
import { toJobSummary } from './job-summary';
import { keyBase } from './queue-set';

type DetailReply = [number, string, number, number, ...Array<string | false | null>] | null;

export const jobDetailScript = new LuaScript<DetailReply>('jobscopeJobDetail', 'job-detail.lua');

/** Longest wait/active list LPOS walks to tell where a job is; beyond it a job still in a list reads as `wait`. */
const LIST_SCAN_LIMIT = 100_000;
const EXTRA_FIELDS = ['data', 'opts'] as const;

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

/**
 * One BullMQ job with its payload, from one read-only script call. A job whose hash exists but that sits in no state
 * list found within the scan limit (e.g. deep in a huge wait list) is reported as `wait`.
 */
export async function readJobDetail(client: Redis, ref: JobRef, now: number): Promise<JobDetail | null> {
  const reply = await jobDetailScript.run(client, [keyBase({ prefix: ref.prefix, name: ref.queue })], [
    ref.id,
    DETAIL_VALUE_MAX_BYTES,
    LIST_SCAN_LIMIT,
  ]);
  if (reply === null) {
    return null;
  }
  const [nativeIndex, sortKey, dataBytes, returnBytes, ...values] = reply;
  const text = (v: string | false | null | undefined) => (v === false || v === null || v === undefined ? null : String(v));
  const fields = Object.fromEntries(FIELD_NAMES.map((name, k) => [name, text(values[k])])) as RawJobFields;
  const [data, opts] = EXTRA_FIELDS.map((_, k) => text(values[FIELD_NAMES.length + k]));
  const native: BullMQNativeState = BULLMQ_NATIVE_STATES[Number(nativeIndex) - 1] ?? 'wait';
  const summary = toJobSummary({ queueIndex: 0, native, id: ref.id, sortKey: String(sortKey), fields }, ref, now);
  const stack = parseJson(fields.stacktrace);
  return {
    ...summary,
    data: { text: data, truncated: data !== null && Buffer.byteLength(data) < Number(dataBytes), bytes: Number(dataBytes) },
    returnValue: {
      text: fields.returnvalue,
      truncated: fields.returnvalue !== null && Buffer.byteLength(fields.returnvalue) < Number(returnBytes),
      bytes: Number(returnBytes),
    },
    failedReason: fields.failedReason,
    stacktrace: Array.isArray(stack) ? stack.map(String) : [],
    opts: parseJson(opts) ?? {},
  };
}
