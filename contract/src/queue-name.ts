import { z } from 'zod';
import { queueNameProblem } from './names';

/** A queue name as the API accepts it (see queueNameProblem). */
export const QueueName = z.string().superRefine((s, ctx) => {
  const problem = queueNameProblem(s);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
  }
});
