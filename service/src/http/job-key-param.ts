import { z } from 'zod';
import { parseJobKey, type JobRef } from '@jobscope/contract';

/** `:jobKey` as a JobRef; a malformed key is a 400 naming what is wrong. */
export const JobKeyParam = z.string().transform((key, ctx): JobRef => {
  const parsed = parseJobKey(key);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.ref;
});

/** Route params of every `/api/jobs/:jobKey…` route. */
export const JobKeyParams = z.object({ jobKey: JobKeyParam });
