import type { RedisClient } from './redis/topology';
import type { Hono } from 'hono';
import type { Config } from './config';
import type { Logger } from './logger';
import { createServiceClient } from './redis/connection';
import { RedisProbe } from './redis/probe';
import { BullMQSource } from './sources/bullmq/bullmq-source';
import { CelerySource } from './sources/celery/celery-source';
import { SourceRegistry } from './sources/registry';
import { AuditLog } from './audit/audit-log';
import { StreamHub } from './stream/stream-hub';
import type { JobSource } from './sources/source';
import { SnapshotService } from './snapshot/snapshot-service';
import { createApp } from './app';
import { StatsCache } from './health/stats-cache';
import { createMetrics, type ServiceMetrics } from './metrics/metrics';

export interface Service {
  app: Hono;
  redis: RedisClient;
  source: BullMQSource;
  registry: SourceRegistry;
  streams: StreamHub;
  snapshots: SnapshotService;
  probe: RedisProbe;
  stats: StatsCache;
  metrics: ServiceMetrics;
  /** Marks the service as shutting down (/readyz 503); requests are still answered. */
  beginShutdown(): void;
  readonly stopping: boolean;
  close(): Promise<void>;
}

export interface ServiceOptions {
  /** More job sources beside BullMQ (the tests plug an in-memory one in here). */
  extraSources?: JobSource[];
}

/** Wires the parts together; `main.ts` adds the socket, tests call `service.app.request()`. */
export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const redis = createServiceClient(config.redisUrl, logger, {
    tlsCa: config.redisTlsCa,
    sentinel: config.redisSentinel,
    cluster: config.redisClusterNodes,
  });
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
  const extra = [...(config.celery ? [celerySource(config, logger)] : []), ...(options.extraSources ?? [])];
  await Promise.all(extra.map((s) => s.start()));
  const registry = new SourceRegistry([source, ...extra]);
  const stats = new StatsCache({
    registry,
    probe,
    ttlMs: config.health.statsTtlMs,
    timeoutMs: config.health.timeoutMs,
    windowMs: config.health.windowMs,
    maxLockChecks: config.health.stalledCheckLimit,
  });
  const metrics = createMetrics({ stats, health: config.health, registry });
  const snapshots = new SnapshotService({
    registry,
    probe,
    ttlMs: config.snapshotTtlMs,
    timeoutMs: config.health.timeoutMs,
    onBuilt: metrics.observeSnapshot,
  });
  const streams = new StreamHub({ snapshots, registry, ...config.stream });
  let stopping = false;
  const app = createApp({
    logger,
    apiToken: config.apiToken,
    readToken: config.readToken,
    registry,
    snapshots,
    // Read-only mode writes nothing to Redis, the audit stream included.
    audit: new AuditLog(logger, config.auditKey && !config.readOnly ? { redis, key: config.auditKey } : null),
    streams,
    readOnly: config.readOnly,
    alerting: { stats, settings: config.health, probe, metrics, stopping: () => stopping },
  });
  return {
    app,
    redis,
    source,
    registry,
    streams,
    snapshots,
    probe,
    stats,
    metrics,
    beginShutdown() {
      stopping = true;
    },
    get stopping() {
      return stopping;
    },
    async close() {
      streams.close();
      await Promise.allSettled(registry.sources.map((s) => s.close()));
      await redis.quit().catch(() => undefined);
      // QUIT ends the data connection only; disconnect() also ends the connector's own (Sentinel's failover detector).
      redis.disconnect();
    },
  };
}

function celerySource(config: Config, logger: Logger): CelerySource {
  const c = config.celery!;
  return new CelerySource({ ...c, discoveryIntervalMs: config.discoveryIntervalMs, tlsCa: config.redisTlsCa, logger });
}

/** Gives the first connection a moment; the service starts anyway (and recovers) when Redis is down. */
function waitForReady(redis: RedisClient, timeoutMs: number): Promise<void> {
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
