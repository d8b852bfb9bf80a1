/** Deepest nesting a request body may have; real job data is far shallower. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether parsed JSON nests deeper than `limit`. Iterative on purpose: recursive validators (zod's z.json()) overflow
 * the stack on a few KB of `[[[[…]]]]` and turn a bad request into a 500.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') {
      continue;
    }
    if (depth >= limit) {
      return true;
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      stack.push([child, depth + 1]);
    }
  }
  return false;
}
