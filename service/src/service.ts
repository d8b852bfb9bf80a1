import type Redis from 'ioredis';
import type { Hono } from 'hono';
import type { Config } from './config';
import type { Logger } from './logger';
import { createRedisClient } from './redis/connection';
import { RedisProbe } from './redis/probe';
import { BullMQSource } from './sources/bullmq/bullmq-source';
import { SnapshotService } from './snapshot/snapshot-service';
import { createApp } from './app';
import { StatsCache } from './health/stats-cache';
import { createMetrics, type ServiceMetrics } from './metrics/metrics';

export interface Service {
  app: Hono;
  redis: Redis;
  source: BullMQSource;
  snapshots: SnapshotService;
  probe: RedisProbe;
  stats: StatsCache;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

/** Wires the parts together; `main.ts` adds the socket, tests call `service.app.request()`. */
export async function createService(config: Config, logger: Logger): Promise<Service> {
  const redis = createRedisClient(config.redisUrl, logger);
  const probe = new RedisProbe(redis);
  const source = new BullMQSource(redis, {
    prefixes: config.prefixes,
    explicitQueues: config.queues,
    discoveryIntervalMs: config.discoveryIntervalMs,
    queuesPerCall: config.queuesPerCall,
    logger,
  });
  await waitForReady(redis, 2000);
  await source.start(await probe.majorVersion());
  const stats = new StatsCache({
    sources: [source],
    probe,
    ttlMs: config.health.statsTtlMs,
    timeoutMs: config.health.timeoutMs,
    windowMs: config.health.windowMs,
    maxLockChecks: config.health.stalledCheckLimit,
  });
  const metrics = createMetrics({ stats, health: config.health });
  const snapshots = new SnapshotService({
    sources: [source],
    probe,
    ttlMs: config.snapshotTtlMs,
    onBuilt: metrics.observeSnapshot,
  });
  const app = createApp({
    logger,
    apiToken: config.apiToken,
    readToken: config.readToken,
    snapshots,
    writeSource: source,
    alerting: { stats, settings: config.health, sources: [source], probe, metrics },
  });
  return {
    app,
    redis,
    source,
    snapshots,
    probe,
    stats,
    metrics,
    async close() {
      await source.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Gives the first connection a moment; the service starts anyway (and recovers) when Redis is down. */
function waitForReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
