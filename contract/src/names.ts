/**
 * What makes a queue name acceptable to the API, or null when it is. Source-neutral (a source may have stricter rules
 * of its own, like BullMQ's ":"; a name no source knows is answered 404). Plain code, no zod, so the plugin's
 * module.js can use it without pulling zod in.
 */
export function queueNameProblem(s: string): string | null {
  if (s.length === 0) {
    return 'queue name must not be empty';
  }
  if (s.length > 200) {
    return 'queue name must be at most 200 characters';
  }
  if (s.trim().length === 0) {
    return 'queue name must not be blank';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) {
    return 'queue name must not contain control characters';
  }
  return null;
}

export function isQueueName(value: unknown): value is string {
  return typeof value === 'string' && queueNameProblem(value) === null;
}
