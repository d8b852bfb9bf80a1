import { z } from 'zod';

/** BullMQ builds keys as `<prefix>:<queue>:<type>`, so a queue name may not contain `:`. */
export const QueueName = z
  .string()
  .min(1, 'queue name must not be empty')
  .max(200, 'queue name must be at most 200 characters')
  .refine((s) => !s.includes(':'), 'queue name must not contain ":" (BullMQ uses it as the key separator)')
  .refine((s) => s.trim().length > 0, 'queue name must not be blank');
