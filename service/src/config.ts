import fs from 'node:fs';
import { z } from 'zod';
import { BULLMQ_QUEUE_NAME_RULE, isBullMQQueueName } from './sources/bullmq/native-states';
import { envOverrides, envStatus, envThreshold, type HealthSettings } from './health/thresholds';

const csv = z
  .string()
  .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));

const nonNegativeMs = (name: string, fallback: number) =>
  z.coerce.number({ error: `${name} must be a number of milliseconds` }).int().min(0).default(fallback);

/** Every setting comes from the environment and is checked once at start; README lists them all. */
/** `host:port,…` (sentinels, Cluster seed nodes). */
const hostPortList = csv
  .refine((list) => list.length > 0, 'needs at least one host:port')
  .refine((list) => list.every((entry) => /^[^\s:]+:\d{1,5}$/.test(entry)), 'each entry must be host:port');

const EnvSchema = z.object({
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .refine((s) => /^rediss?:\/\//.test(s), 'must start with redis:// or rediss://'),
  JOBSCOPE_REDIS_TLS_CA_FILE: z.string().optional(),
  JOBSCOPE_REDIS_SENTINELS: hostPortList.optional(),
  JOBSCOPE_REDIS_SENTINEL_NAME: z.string().min(1).max(200).optional(),
  JOBSCOPE_REDIS_SENTINEL_PASSWORD: z.string().optional(),
  JOBSCOPE_REDIS_CLUSTER_NODES: hostPortList.optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65535).default(8787),
  JOBSCOPE_PREFIXES: csv
    .default(['bull'])
    .refine((list) => list.length > 0, 'needs at least one prefix'),
  JOBSCOPE_QUEUES: csv
    .optional()
    .refine((list) => !list || list.every(isBullMQQueueName), BULLMQ_QUEUE_NAME_RULE),
  JOBSCOPE_API_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  JOBSCOPE_READ_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  JOBSCOPE_READ_ONLY: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  JOBSCOPE_AUDIT_KEY: z
    .string()
    .max(200, 'must be at most 200 characters')
    .refine((s) => !/\s/.test(s), 'must not contain whitespace')
    .default('jobscope:audit'),
  JOBSCOPE_SNAPSHOT_TTL_MS: nonNegativeMs('JOBSCOPE_SNAPSHOT_TTL_MS', 1000),
  JOBSCOPE_DISCOVERY_INTERVAL_MS: nonNegativeMs('JOBSCOPE_DISCOVERY_INTERVAL_MS', 60_000).refine(
    (ms) => ms === 0 || ms >= 1000,
    'must be 0 (off) or at least 1000'
  ),
  JOBSCOPE_STREAM_INTERVAL_MS: z.coerce.number().int().min(100, 'must be at least 100').max(60_000).default(1000),
  JOBSCOPE_MAX_STREAMS: z.coerce.number().int().min(1).max(100_000).default(2000),
  JOBSCOPE_QUEUES_PER_CALL: z.coerce.number().int().min(1).max(1000).default(50),
  JOBSCOPE_STATS_TTL_MS: nonNegativeMs('JOBSCOPE_STATS_TTL_MS', 1000),
  JOBSCOPE_HEALTH_WINDOW_MS: z.coerce.number().int().min(1000, 'must be at least 1000').default(300_000),
  JOBSCOPE_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(800),
  JOBSCOPE_HEALTH_STALLED_CHECK_LIMIT: z.coerce.number().int().min(0).max(10_000).default(100),
  JOBSCOPE_HEALTH_REDIS_LATENCY_WARN_MS: envThreshold(250),
  JOBSCOPE_HEALTH_REDIS_LATENCY_FAIL_MS: envThreshold(null),
  JOBSCOPE_HEALTH_FAILURES_WARN: envThreshold(1),
  JOBSCOPE_HEALTH_FAILURES_FAIL: envThreshold(10),
  JOBSCOPE_HEALTH_BACKLOG_WARN_MS: envThreshold(60_000),
  JOBSCOPE_HEALTH_BACKLOG_FAIL_MS: envThreshold(300_000),
  JOBSCOPE_HEALTH_NO_WORKERS_WARN_MS: envThreshold(0),
  JOBSCOPE_HEALTH_NO_WORKERS_FAIL_MS: envThreshold(300_000),
  JOBSCOPE_HEALTH_STALLED_WARN: envThreshold(1),
  JOBSCOPE_HEALTH_STALLED_FAIL: envThreshold(null),
  JOBSCOPE_HEALTH_PAUSED: envStatus('warn'),
  JOBSCOPE_HEALTH_QUEUE_OVERRIDES: envOverrides,
  JOBSCOPE_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(300_000).default(10_000),
  JOBSCOPE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000).default(30_000),
  JOBSCOPE_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    // Sent to clients as `Keep-Alive: timeout=<s>`: under 1 s is `timeout=0`, and Node's agent then never reuses a socket.
    .min(1000, 'must be at least 1000').max(600_000).default(5000),
  JOBSCOPE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  JOBSCOPE_CELERY_BROKER_URL: z
    .string()
    .refine((s) => /^rediss?:\/\//.test(s), 'must start with redis:// or rediss:// (jobscope reads Celery on a Redis broker)')
    .optional(),
  JOBSCOPE_CELERY_RESULT_URL: z
    .string()
    .refine((s) => /^rediss?:\/\//.test(s), 'must start with redis:// or rediss:// (the Redis result backend)')
    .optional(),
  JOBSCOPE_CELERY_QUEUES: csv.optional(),
  JOBSCOPE_CELERY_KEYPREFIX: z.string().max(200).default(''),
  JOBSCOPE_CELERY_MAILBOX: z.string().min(1).max(200).default('celery'),
  JOBSCOPE_CELERY_INSPECT: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  // Celery's `inspect` is a broadcast every worker answers: not more often than every 2 s.
  JOBSCOPE_CELERY_INSPECT_INTERVAL_MS: z.coerce.number().int().min(2000, 'must be at least 2000').max(600_000).default(2000),
  JOBSCOPE_CELERY_INDEX_MAX: z.coerce.number().int().min(100, 'must be at least 100').max(10_000_000).default(100_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  redisUrl: string;
  /** PEM CA bundle read from JOBSCOPE_REDIS_TLS_CA_FILE at start: verifies a `rediss://` server's certificate. */
  redisTlsCa: string | null;
  /**
   * Sentinel-managed primary (JOBSCOPE_REDIS_SENTINELS + _NAME): the service asks these sentinels where the primary
   * is and follows failovers; REDIS_URL then only gives the data nodes' user, password and database.
   */
  redisSentinel: RedisSentinelConfig | null;
  /**
   * Seed nodes of a Redis Cluster (JOBSCOPE_REDIS_CLUSTER_NODES): the service uses a Cluster client that learns the
   * rest of the topology from them; REDIS_URL then only gives user, password and TLS (rediss://).
   */
  redisClusterNodes: Array<{ host: string; port: number }> | null;
  host: string;
  port: number;
  prefixes: string[];
  /** Explicit queue list; discovery is skipped when set. */
  queues: string[] | null;
  apiToken: string | null;
  /** Every write answers 403 (JOBSCOPE_READ_ONLY). */
  readOnly: boolean;
  /** The capped Redis stream the audit trail is shared through (JOBSCOPE_AUDIT_KEY); null (`off`): each replica's memory. */
  auditKey: string | null;
  stream: { intervalMs: number; maxStreams: number };
  readToken: string | null;
  snapshotTtlMs: number;
  discoveryIntervalMs: number;
  /** Queues read by one Lua call; bounds how long one call blocks Redis. */
  queuesPerCall: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Socket timeouts (slowloris, idle keep-alive); none of them cuts an open event stream. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** SIGTERM/SIGINT: how long in-flight requests and streams get before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** The Celery source (JOBSCOPE_CELERY_BROKER_URL set), or null. */
  celery: CeleryConfig | null;
  /** Thresholds and limits of /api/health, /readyz and /metrics (service/HEALTH.md). */
  health: HealthSettings;
}

export interface RedisSentinelConfig {
  sentinels: Array<{ host: string; port: number }>;
  name: string;
  password: string | null;
}

export interface CeleryConfig {
  brokerUrl: string;
  resultUrl: string | null;
  queues: string[] | null;
  keyPrefix: string;
  mailbox: string;
  inspect: boolean;
  inspectIntervalMs: number;
  indexMax: number;
}

export class ConfigError extends Error {}

/** Reads the environment; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  if (e.JOBSCOPE_CELERY_RESULT_URL && !e.JOBSCOPE_CELERY_BROKER_URL) {
    throw new ConfigError('invalid configuration: JOBSCOPE_CELERY_RESULT_URL: is set but JOBSCOPE_CELERY_BROKER_URL (which enables Celery) is not');
  }
  if (e.JOBSCOPE_HEADERS_TIMEOUT_MS > e.JOBSCOPE_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      'invalid configuration: JOBSCOPE_HEADERS_TIMEOUT_MS: must not exceed JOBSCOPE_REQUEST_TIMEOUT_MS (headers are part of the request)'
    );
  }
  return {
    redisUrl: e.REDIS_URL,
    redisTlsCa: readTlsCa(e.JOBSCOPE_REDIS_TLS_CA_FILE, e.REDIS_URL),
    redisSentinel: sentinelConfig(e),
    redisClusterNodes: clusterNodes(e),
    host: e.HOST,
    port: e.PORT,
    prefixes: e.JOBSCOPE_PREFIXES,
    queues: e.JOBSCOPE_QUEUES && e.JOBSCOPE_QUEUES.length > 0 ? e.JOBSCOPE_QUEUES : null,
    apiToken: e.JOBSCOPE_API_TOKEN ?? null,
    readOnly: e.JOBSCOPE_READ_ONLY,
    auditKey: e.JOBSCOPE_AUDIT_KEY === 'off' ? null : e.JOBSCOPE_AUDIT_KEY,
    stream: { intervalMs: e.JOBSCOPE_STREAM_INTERVAL_MS, maxStreams: e.JOBSCOPE_MAX_STREAMS },
    readToken: e.JOBSCOPE_READ_TOKEN ?? null,
    snapshotTtlMs: e.JOBSCOPE_SNAPSHOT_TTL_MS,
    discoveryIntervalMs: e.JOBSCOPE_DISCOVERY_INTERVAL_MS,
    queuesPerCall: e.JOBSCOPE_QUEUES_PER_CALL,
    logLevel: e.LOG_LEVEL,
    http: {
      headersTimeoutMs: e.JOBSCOPE_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.JOBSCOPE_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.JOBSCOPE_KEEP_ALIVE_TIMEOUT_MS,
    },
    shutdownTimeoutMs: e.JOBSCOPE_SHUTDOWN_TIMEOUT_MS,
    celery: e.JOBSCOPE_CELERY_BROKER_URL
      ? {
          brokerUrl: e.JOBSCOPE_CELERY_BROKER_URL,
          resultUrl: e.JOBSCOPE_CELERY_RESULT_URL ?? null,
          queues: e.JOBSCOPE_CELERY_QUEUES && e.JOBSCOPE_CELERY_QUEUES.length > 0 ? e.JOBSCOPE_CELERY_QUEUES : null,
          keyPrefix: e.JOBSCOPE_CELERY_KEYPREFIX,
          mailbox: e.JOBSCOPE_CELERY_MAILBOX,
          inspect: e.JOBSCOPE_CELERY_INSPECT,
          inspectIntervalMs: e.JOBSCOPE_CELERY_INSPECT_INTERVAL_MS,
          indexMax: e.JOBSCOPE_CELERY_INDEX_MAX,
        }
      : null,
    health: {
      windowMs: e.JOBSCOPE_HEALTH_WINDOW_MS,
      timeoutMs: e.JOBSCOPE_HEALTH_TIMEOUT_MS,
      statsTtlMs: e.JOBSCOPE_STATS_TTL_MS,
      stalledCheckLimit: e.JOBSCOPE_HEALTH_STALLED_CHECK_LIMIT,
      redisLatencyMs: { warn: e.JOBSCOPE_HEALTH_REDIS_LATENCY_WARN_MS, fail: e.JOBSCOPE_HEALTH_REDIS_LATENCY_FAIL_MS },
      defaults: {
        failures: { warn: e.JOBSCOPE_HEALTH_FAILURES_WARN, fail: e.JOBSCOPE_HEALTH_FAILURES_FAIL },
        backlogAgeMs: { warn: e.JOBSCOPE_HEALTH_BACKLOG_WARN_MS, fail: e.JOBSCOPE_HEALTH_BACKLOG_FAIL_MS },
        noWorkersMs: { warn: e.JOBSCOPE_HEALTH_NO_WORKERS_WARN_MS, fail: e.JOBSCOPE_HEALTH_NO_WORKERS_FAIL_MS },
        stalled: { warn: e.JOBSCOPE_HEALTH_STALLED_WARN, fail: e.JOBSCOPE_HEALTH_STALLED_FAIL },
        paused: e.JOBSCOPE_HEALTH_PAUSED,
      },
      overrides: e.JOBSCOPE_HEALTH_QUEUE_OVERRIDES,
    },
  };
}

function sentinelConfig(e: z.infer<typeof EnvSchema>): RedisSentinelConfig | null {
  const fail = (name: string, why: string) => new ConfigError(`invalid configuration: ${name}: ${why}`);
  if (!e.JOBSCOPE_REDIS_SENTINELS) {
    if (e.JOBSCOPE_REDIS_SENTINEL_NAME || e.JOBSCOPE_REDIS_SENTINEL_PASSWORD) {
      throw fail('JOBSCOPE_REDIS_SENTINELS', 'is needed when JOBSCOPE_REDIS_SENTINEL_NAME or _PASSWORD is set');
    }
    return null;
  }
  if (!e.JOBSCOPE_REDIS_SENTINEL_NAME) {
    throw fail('JOBSCOPE_REDIS_SENTINEL_NAME', 'is needed with JOBSCOPE_REDIS_SENTINELS (the name the sentinels monitor the primary under)');
  }
  if (e.REDIS_URL.startsWith('rediss://')) {
    throw fail('JOBSCOPE_REDIS_SENTINELS', 'Sentinel with TLS (a rediss:// REDIS_URL) is not supported yet');
  }
  return {
    sentinels: e.JOBSCOPE_REDIS_SENTINELS.map(hostPort),
    name: e.JOBSCOPE_REDIS_SENTINEL_NAME,
    password: e.JOBSCOPE_REDIS_SENTINEL_PASSWORD ?? null,
  };
}

function clusterNodes(e: z.infer<typeof EnvSchema>): Array<{ host: string; port: number }> | null {
  if (!e.JOBSCOPE_REDIS_CLUSTER_NODES) {
    return null;
  }
  if (e.JOBSCOPE_REDIS_SENTINELS) {
    throw new ConfigError('invalid configuration: JOBSCOPE_REDIS_CLUSTER_NODES: cannot be combined with JOBSCOPE_REDIS_SENTINELS (a Cluster fails over by itself)');
  }
  if (/^rediss?:\/\/[^/]*\/[1-9]/.test(e.REDIS_URL)) {
    throw new ConfigError('invalid configuration: JOBSCOPE_REDIS_CLUSTER_NODES: a Redis Cluster has only database 0; drop the database from REDIS_URL');
  }
  return e.JOBSCOPE_REDIS_CLUSTER_NODES.map(hostPort);
}

function hostPort(entry: string): { host: string; port: number } {
  const at = entry.lastIndexOf(':');
  return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
}

/** The CA file's PEM text, read once at start; a missing, unreadable or non-PEM file is a ConfigError. */
function readTlsCa(file: string | undefined, redisUrl: string): string | null {
  if (file === undefined) {
    return null;
  }
  const fail = (why: string) => new ConfigError(`invalid configuration: JOBSCOPE_REDIS_TLS_CA_FILE: ${why}`);
  if (!redisUrl.startsWith('rediss://')) {
    throw fail('is set but REDIS_URL is not a rediss:// (TLS) URL');
  }
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw fail(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return pem;
}
