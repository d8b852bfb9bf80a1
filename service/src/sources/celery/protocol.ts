import { randomUUID } from 'node:crypto';
import os from 'node:os';

/**
 * Celery's wire format on the Redis transport: a kombu envelope (JSON) around a body that is base64 text of the
 * serialized payload. Task messages follow Celery's message protocol v2 (`headers.task`, `headers.id`, body
 * `[args, kwargs, embed]`); v1 bodies (`{task, id, args, kwargs}`) are read too. Bodies of other serializers
 * (pickle, msgpack…) cannot be read from Node: they are reported by content type, never guessed at.
 */
export interface Envelope {
  body: string;
  'content-type'?: string;
  'content-encoding'?: string;
  headers?: Record<string, unknown>;
  properties?: {
    body_encoding?: string;
    delivery_info?: { exchange?: string; routing_key?: string; redelivered?: boolean };
    priority?: number;
    delivery_tag?: string;
    [k: string]: unknown;
  };
}

export function parseEnvelope(raw: string): Envelope | null {
  try {
    const env = JSON.parse(raw) as Envelope;
    return env && typeof env === 'object' && typeof env.body === 'string' ? env : null;
  } catch {
    return null;
  }
}

export type DecodedBody = { ok: true; value: unknown } | { ok: false; contentType: string };

/** The envelope's body as a value, when it is JSON. */
export function decodeBody(env: Envelope): DecodedBody {
  const contentType = env['content-type'] ?? 'unknown';
  if (contentType !== 'application/json') {
    return { ok: false, contentType };
  }
  try {
    const text = env.properties?.body_encoding === 'base64' ? Buffer.from(env.body, 'base64').toString('utf8') : env.body;
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, contentType };
  }
}

/** A task message as jobscope shows it. `args`/`kwargs` are null when the body is not readable. */
export interface TaskMessage {
  id: string;
  task: string;
  /** ISO time the task is due (countdown/eta), when set. */
  eta: string | null;
  retries: number;
  argsrepr: string | null;
  kwargsrepr: string | null;
  args: unknown[] | null;
  kwargs: Record<string, unknown> | null;
  /** Set when the body uses a serializer Node cannot read. */
  unreadable: string | null;
  redelivered: boolean;
  priority: number | null;
  parentId: string | null;
  rootId: string | null;
  origin: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A broker-list element as a task message; null for anything that is not one. */
export function parseTaskMessage(raw: string): TaskMessage | null {
  const env = parseEnvelope(raw);
  if (!env) {
    return null;
  }
  const h = env.headers ?? {};
  const body = decodeBody(env);
  let args: unknown[] | null = null;
  let kwargs: Record<string, unknown> | null = null;
  let id = str(h.id);
  let task = str(h.task);
  let eta = str(h.eta);
  let retries = typeof h.retries === 'number' ? h.retries : 0;
  if (body.ok) {
    const v = body.value;
    if (Array.isArray(v)) {
      args = Array.isArray(v[0]) ? v[0] : null;
      kwargs = v[1] && typeof v[1] === 'object' ? (v[1] as Record<string, unknown>) : null;
    } else if (v && typeof v === 'object' && 'task' in v) {
      // Protocol v1: everything in the body.
      const b = v as Record<string, unknown>;
      id ??= str(b.id);
      task ??= str(b.task);
      eta ??= str(b.eta);
      retries = typeof b.retries === 'number' ? b.retries : retries;
      args = Array.isArray(b.args) ? b.args : null;
      kwargs = b.kwargs && typeof b.kwargs === 'object' ? (b.kwargs as Record<string, unknown>) : null;
    }
  }
  if (!id || !task) {
    return null;
  }
  return {
    id,
    task,
    eta,
    retries,
    argsrepr: str(h.argsrepr),
    kwargsrepr: str(h.kwargsrepr),
    args,
    kwargs,
    unreadable: body.ok ? null : body.contentType,
    redelivered: env.properties?.delivery_info?.redelivered === true,
    priority: typeof env.properties?.priority === 'number' ? env.properties.priority : null,
    parentId: str(h.parent_id),
    rootId: str(h.root_id),
    origin: str(h.origin),
  };
}

function envelope(
  body: unknown,
  headers: Record<string, unknown>,
  properties: Record<string, unknown>,
  deliveryInfo: object,
  priority = 0
): string {
  return JSON.stringify({
    body: Buffer.from(JSON.stringify(body)).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers,
    properties: {
      ...properties,
      delivery_info: deliveryInfo,
      priority,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/** Python's repr of a JSON value, close enough for display (Celery shows `argsrepr`/`kwargsrepr` as is). */
export function pythonRepr(value: unknown): string {
  if (value === null) {
    return 'None';
  }
  if (value === true) {
    return 'True';
  }
  if (value === false) {
    return 'False';
  }
  if (typeof value === 'string') {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) {
    return value.length === 1 ? `(${pythonRepr(value[0])},)` : `(${value.map(pythonRepr).join(', ')})`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as object).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

export interface NewTask {
  id: string;
  task: string;
  queue: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Due time (countdown), when any. */
  eta: Date | null;
  /** 0–9; on Redis, kombu puts 0 first. */
  priority: number;
}

export const ORIGIN = `jobscope@${os.hostname()}`;

/** A protocol v2 task message, as `apply_async` would send it to the default exchange. */
export function encodeTaskMessage(t: NewTask): string {
  const headers = {
    lang: 'py',
    task: t.task,
    id: t.id,
    shadow: null,
    eta: t.eta ? t.eta.toISOString().replace('Z', '+00:00') : null,
    expires: null,
    group: null,
    group_index: null,
    retries: 0,
    timelimit: [null, null],
    root_id: t.id,
    parent_id: null,
    argsrepr: pythonRepr(t.args),
    kwargsrepr: pythonRepr(t.kwargs),
    origin: ORIGIN,
    ignore_result: false,
  };
  const embed = { callbacks: null, errbacks: null, chain: null, chord: null };
  return envelope([t.args, t.kwargs, embed], headers, { correlation_id: t.id, delivery_mode: 2 }, { exchange: '', routing_key: t.queue }, t.priority);
}

/** A remote-control request on the pidbox fanout exchange (what `app.control.broadcast` sends). */
export function encodeControlRequest(r: {
  method: string;
  args: Record<string, unknown>;
  ticket: string;
  replyExchange: string;
  replyTo: string;
  destination: string[] | null;
  pidboxExchange: string;
  timeoutMs: number;
}): string {
  const body = {
    method: r.method,
    arguments: r.args,
    destination: r.destination,
    pattern: null,
    matcher: null,
    ticket: r.ticket,
    reply_to: { exchange: r.replyExchange, routing_key: r.replyTo },
  };
  return envelope(body, { clock: 1, expires: Date.now() / 1000 + r.timeoutMs / 1000 }, { delivery_mode: 2 }, {
    exchange: r.pidboxExchange,
    routing_key: '',
  });
}

/** Celery 5.2 writes naive UTC times (`2026-11-29T14:57:53.804801`); newer versions add an offset. */
export function parseCeleryTime(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') {
    return null;
  }
  const ms = Date.parse(/([zZ]|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : null;
}
