import { isQueueName } from '@jobscope/contract';

/**
 * A usable queue name from a dashboard or an alert: a valid name by the contract's one rule (`isQueueName`: not blank,
 * no control characters; a source's own stricter rules stay in the source), not an unresolved `$variable` and not a
 * multi-value `a,b`.
 */
export function usableQueue(value: unknown): value is string {
  return isQueueName(value) && !value.includes('$') && !value.includes(',');
}
