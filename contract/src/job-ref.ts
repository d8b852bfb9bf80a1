/**
 * Plain code without zod, so the plugin's module.js can build job links without pulling zod in.
 *
 * The one address of a job: which source, which key prefix, which queue, which id. Two queues of the same name under
 * two prefixes (or in two sources) hold different jobs, so every per-job route, link and UI key uses all four.
 */
export interface JobRef {
  source: string;
  prefix: string;
  queue: string;
  id: string;
}

const MAX_PART_LENGTH = 512;

const REF_FIELDS = ['source', 'prefix', 'queue', 'id'] as const;
/** Longest job key the parser accepts (four encoded parts and three separators). */
export const MAX_JOB_KEY_LENGTH = 4 * 3 * MAX_PART_LENGTH + 3;

/**
 * The string form of a JobRef, e.g. `bullmq:bull:email:42`: the four parts percent-encoded and joined by `:`, so a
 * part may itself contain `:`. Put it in a URL path with `encodeURIComponent` (see `jobPath`).
 */
export function jobKey(ref: JobRef): string {
  return REF_FIELDS.map((f) => encodeURIComponent(ref[f])).join(':');
}

export type JobKeyParse = { ok: true; ref: JobRef } | { ok: false; error: string };

/** Parses a job key; never throws. Malformed input names what is wrong. */
export function parseJobKey(key: string): JobKeyParse {
  if (typeof key !== 'string' || key.length === 0) {
    return { ok: false, error: 'job key must not be empty' };
  }
  if (key.length > MAX_JOB_KEY_LENGTH) {
    return { ok: false, error: `job key must be at most ${MAX_JOB_KEY_LENGTH} characters` };
  }
  const parts = key.split(':');
  if (parts.length !== REF_FIELDS.length) {
    return {
      ok: false,
      error: `job key must have 4 parts "source:prefix:queue:id" (each percent-encoded), got ${parts.length}`,
    };
  }
  const decoded: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    try {
      decoded.push(decodeURIComponent(parts[i]));
    } catch {
      return { ok: false, error: `job key part ${REF_FIELDS[i]} is not valid percent-encoding` };
    }
  }
  for (let i = 0; i < decoded.length; i++) {
    if (decoded[i].length === 0) {
      return { ok: false, error: `job key: ${REF_FIELDS[i]} must not be empty` };
    }
    if (decoded[i].length > MAX_PART_LENGTH) {
      return { ok: false, error: `job key: ${REF_FIELDS[i]} must be at most ${MAX_PART_LENGTH} characters` };
    }
  }
  const [source, prefix, queue, id] = decoded;
  return { ok: true, ref: { source, prefix, queue, id } };
}

/** The JobRef fields of anything that carries them (a JobSummary, an enqueue reply). */
export function jobRefOf(job: JobRef): JobRef {
  return { source: job.source, prefix: job.prefix, queue: job.queue, id: job.id };
}

export function sameJob(a: JobRef, b: JobRef): boolean {
  return a.source === b.source && a.prefix === b.prefix && a.queue === b.queue && a.id === b.id;
}
