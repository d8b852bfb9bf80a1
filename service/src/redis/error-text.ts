import { errorMessage } from './probe';

/**
 * Redis client errors as a user should read them. With the offline queue off, ioredis says
 * "Stream isn't writeable and enableOfflineQueue options is false" for every command while it reconnects.
 */
export function redisErrorText(err: unknown): string {
  const message = errorMessage(err);
  if (/enableOfflineQueue/.test(message)) {
    return 'not connected to Redis (connection lost; reconnecting in the background)';
  }
  return message;
}
