import Redis from 'ioredis';
import type { Logger } from '../logger';

/**
 * The service's one Redis client. Fail fast: no offline queue and one retry per command, so requests answer quickly
 * while Redis is down; ioredis keeps reconnecting in the background on its own.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A frozen Redis must not hold a 2 s poll for long; the slowest read (200 queues) takes ~15 ms.
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastError = '';
  client.on('error', (err: Error) => {
    // ioredis emits the same error on every reconnect attempt; log each distinct one once.
    if (err.message !== lastError) {
      lastError = err.message;
      logger.warn({ err: err.message }, 'redis connection error');
    }
  });
  client.on('ready', () => {
    if (lastError) {
      logger.info('redis connection restored');
    }
    lastError = '';
  });
  return client;
}
