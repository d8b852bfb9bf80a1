import { z } from 'zod';

/**
 * A queue name as the API accepts it. Source-neutral: a source may have stricter rules of its own (BullMQ's ":"),
 * and a name no source knows is answered 404 with the known queues.
 */
export const QueueName = z
  .string()
  .min(1, 'queue name must not be empty')
  .max(200, 'queue name must be at most 200 characters')
  .refine((s) => s.trim().length > 0, 'queue name must not be blank')
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'queue name must not contain control characters');
