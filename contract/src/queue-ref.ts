/**
 * A queue's address: which source, which key prefix, which name. Its string form, the queue key
 * (`bullmq:bull:email`), is the three parts percent-encoded and joined by `:`; a bare name without `:` also names a
 * queue when only one source/prefix has it.
 */
export interface QueueAddress {
  source: string;
  prefix: string;
  name: string;
}

const FIELDS = ['source', 'prefix', 'name'] as const;

export function queueKey(q: QueueAddress): string {
  return FIELDS.map((f) => encodeURIComponent(q[f])).join(':');
}

export type QueueKeyParse =
  | { ok: true; queue: QueueAddress }
  | { ok: true; name: string }
  | { ok: false; error: string };

/** A queue key, or a bare queue name (no `:`); never throws. */
export function parseQueueKey(key: string): QueueKeyParse {
  if (typeof key !== 'string' || key.length === 0 || key.length > 2000) {
    return { ok: false, error: 'queue must be a queue name or a queue key "source:prefix:name"' };
  }
  const parts = key.split(':');
  if (parts.length === 1) {
    return { ok: true, name: key };
  }
  if (parts.length !== FIELDS.length) {
    return { ok: false, error: `queue key must have 3 parts "source:prefix:name" (each percent-encoded), got ${parts.length}` };
  }
  const decoded: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    try {
      decoded.push(decodeURIComponent(parts[i]));
    } catch {
      return { ok: false, error: `queue key part ${FIELDS[i]} is not valid percent-encoding` };
    }
    if (decoded[i].length === 0) {
      return { ok: false, error: `queue key part ${FIELDS[i]} must not be empty` };
    }
  }
  return { ok: true, queue: { source: decoded[0], prefix: decoded[1], name: decoded[2] } };
}

/** Path of a queue action for a queue address. */
export function queueActionPath(q: QueueAddress, action: string): string {
  return `/api/queues/${encodeURIComponent(queueKey(q)).replace(/%3A/g, ':')}/${action}`;
}
