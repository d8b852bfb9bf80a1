import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JobState, StatusQuery } from '@jobscope/contract';
import { ApiError } from '../http/errors';
import type { PageAnchor } from '../sources/source';

/**
 * The status route's page cursor: opaque to clients (base64url JSON), anchored on the last job of the page — its
 * address and its position in its source's order — not on an offset, so jobs arriving meanwhile neither repeat nor
 * hide older ones. It carries the view it belongs to; a cursor of another view, or a made-up one, is a 400.
 */
const CursorSchema = z.strictObject({
  v: z.literal(1),
  /** Fingerprint of the view: state, queues, name, time range. */
  view: z.string(),
  source: z.string(),
  prefix: z.string(),
  queue: z.string(),
  id: z.string(),
  group: z.number().int(),
  sortKey: z.string().max(64),
  /** The anchor job's sort time, for sources other than the anchor's. */
  time: z.number(),
});

function viewOf(query: StatusQuery): string {
  const view = [query.state ?? '', [...(query.queue ?? [])].sort().join(','), query.name ?? '', query.from ?? '', query.to ?? ''];
  return createHash('sha256').update(JSON.stringify(view)).digest('base64url').slice(0, 16);
}

export function encodeCursor(query: StatusQuery, anchor: PageAnchor, time: number): string {
  const body: z.infer<typeof CursorSchema> = { v: 1, view: viewOf(query), ...anchor, ...anchor.position, time };
  delete (body as Partial<{ position: unknown }>).position;
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

const badCursor = (why: string) => new ApiError(400, 'invalid_query', `cursor: ${why}`);

/** The anchor a cursor names, after checking it belongs to this view. */
export function decodeCursor(query: StatusQuery & { state: JobState }, cursor: string): { anchor: PageAnchor; time: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not a cursor of this service (use nextCursor of the previous page)');
  }
  const c = CursorSchema.safeParse(parsed);
  if (!c.success) {
    throw badCursor('not a cursor of this service (use nextCursor of the previous page)');
  }
  if (c.data.view !== viewOf(query)) {
    throw badCursor('it belongs to another view (state, queues, name or time range differ)');
  }
  const { source, prefix, queue, id, group, sortKey, time } = c.data;
  return { anchor: { source, prefix, queue, id, position: { group, sortKey } }, time };
}
