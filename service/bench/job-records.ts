/**
 * What a real BullMQ 6.7.0 Worker leaves in a finished job's hash, and how to write the same hash without running a
 * Worker. Field names and encodings are BullMQ's (`JobJsonRaw`): numbers as decimal strings, `data`/`returnvalue` as
 * JSON text, `stacktrace` as a JSON array of strings (newest attempt last). `opts` is kept as the exact text BullMQ's
 * add script wrote (cjson key order), copied from a real job, so generated hashes match real ones byte for byte.
 */
export type FinishedOutcome =
  | { state: 'completed'; returnvalue: string }
  | { state: 'failed'; failedReason: string; stacktrace: string[] };

export interface FinishedJobRecord {
  name: string;
  /** JSON text, as `Queue.add` stores it. */
  data: string;
  /** JSON text exactly as written by BullMQ (copy it from a real job with the same options). */
  opts: string;
  timestamp: number;
  delay: number;
  priority: number;
  processedOn: number;
  finishedOn: number;
  /** `ats`: attempts started. */
  attemptsStarted: number;
  /** `atm`: attempts made. */
  attemptsMade: number;
  /** `pb`: the Worker's `name` option; absent when the worker has none. */
  processedBy: string | null;
  /** Only present after `job.updateProgress()`; JSON text. */
  progress: string | null;
  outcome: FinishedOutcome;
}

/** Every field a finished job's hash may hold; a real hash with anything else means this encoder is incomplete. */
const KNOWN_FIELDS = new Set([
  'name', 'data', 'opts', 'timestamp', 'delay', 'priority', 'processedOn', 'pb', 'ats', 'progress', 'atm',
  'returnvalue', 'failedReason', 'stacktrace', 'finishedOn',
]);

/** Flat `[field, value, ...]` for one HSET, in the order a Worker writes them (add, start, finish). */
export function finishedJobFields(r: FinishedJobRecord): string[] {
  const f: string[] = [
    'name', r.name,
    'data', r.data,
    'opts', r.opts,
    'timestamp', String(r.timestamp),
    'delay', String(r.delay),
    'priority', String(r.priority),
    'processedOn', String(r.processedOn),
  ];
  if (r.processedBy !== null) {
    f.push('pb', r.processedBy);
  }
  f.push('ats', String(r.attemptsStarted));
  if (r.progress !== null) {
    f.push('progress', r.progress);
  }
  f.push('atm', String(r.attemptsMade));
  if (r.outcome.state === 'completed') {
    f.push('returnvalue', r.outcome.returnvalue);
  } else {
    f.push('failedReason', r.outcome.failedReason, 'stacktrace', JSON.stringify(r.outcome.stacktrace));
  }
  f.push('finishedOn', String(r.finishedOn));
  return f;
}

export class UnexpectedJobHashError extends Error {}

/** Reads a real finished job's hash back into a record; throws on any field or shape the encoder does not know. */
export function recordFromHash(hash: Record<string, string>, state: 'completed' | 'failed'): FinishedJobRecord {
  const unknown = Object.keys(hash).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new UnexpectedJobHashError(`real ${state} job has fields the generator does not write: ${unknown.join(', ')}`);
  }
  const need = (field: string): string => {
    const v = hash[field];
    if (v === undefined) {
      throw new UnexpectedJobHashError(`real ${state} job has no "${field}" field`);
    }
    return v;
  };
  const int = (field: string): number => {
    const n = Number(need(field));
    if (!Number.isSafeInteger(n) || String(n) !== need(field)) {
      throw new UnexpectedJobHashError(`real ${state} job field "${field}" is not a plain integer: ${need(field)}`);
    }
    return n;
  };
  let outcome: FinishedOutcome;
  if (state === 'completed') {
    if (hash.failedReason !== undefined || hash.stacktrace !== undefined) {
      throw new UnexpectedJobHashError('real completed job carries an earlier failure; use a first-attempt success');
    }
    outcome = { state, returnvalue: need('returnvalue') };
  } else {
    if (hash.returnvalue !== undefined) {
      throw new UnexpectedJobHashError('real failed job has a returnvalue');
    }
    const trace: unknown = JSON.parse(need('stacktrace'));
    if (!Array.isArray(trace) || !trace.every((s) => typeof s === 'string')) {
      throw new UnexpectedJobHashError('real failed job stacktrace is not a JSON array of strings');
    }
    outcome = { state, failedReason: need('failedReason'), stacktrace: trace as string[] };
  }
  return {
    name: need('name'),
    data: need('data'),
    opts: need('opts'),
    timestamp: int('timestamp'),
    delay: int('delay'),
    priority: int('priority'),
    processedOn: int('processedOn'),
    finishedOn: int('finishedOn'),
    attemptsStarted: int('ats'),
    attemptsMade: int('atm'),
    processedBy: hash.pb ?? null,
    progress: hash.progress ?? null,
    outcome,
  };
}

/** HGETALL result of `finishedJobFields`, for comparing with a real hash. */
export function fieldsToHash(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    out[flat[i]] = flat[i + 1];
  }
  return out;
}
