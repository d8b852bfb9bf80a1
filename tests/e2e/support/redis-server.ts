// The shared private redis-server (scripts/lib/private-redis.ts), logged to the e2e log dir and watched by a
// watchdog that kills it if the test process dies first.
import path from 'node:path';
import { PrivateRedis } from '../../../scripts/lib/private-redis';
import { watchOverChild } from './processes';

export type { PrivateRedis };

export function startPrivateRedis(logDir: string): Promise<PrivateRedis> {
  return PrivateRedis.start({
    logFile: path.join(logDir, `redis-${process.pid}-${Date.now()}.log`),
    onSpawn: (child, dir) => watchOverChild(child, dir),
  });
}
