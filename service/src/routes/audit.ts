import { Hono } from 'hono';
import { z } from 'zod';
import { AUDIT_MAX_ENTRIES } from '@jobscope/contract';
import { validate } from '../http/validate';
import type { AuditLog } from '../audit/audit-log';

const AuditQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'limit must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'limit must be at least 1').max(AUDIT_MAX_ENTRIES, `limit must be at most ${AUDIT_MAX_ENTRIES}`))
    .default(50),
});

/** `GET /api/audit?limit=`: the newest writes first (the shared stream, or this process's memory: `scope`). */
export function auditRoutes(audit: AuditLog): Hono {
  const app = new Hono();
  app.get('/', validate('query', AuditQuerySchema), async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await audit.newest(c.req.valid('query').limit), 200);
  });
  return app;
}
