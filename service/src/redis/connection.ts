import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { recordClusterError, type RedisClient } from './topology';
import type { Logger } from '../logger';

export interface RedisClientOptions {
  /**
   * PEM CA bundle (JOBSCOPE_REDIS_TLS_CA_FILE) that signs the server certificate of a `rediss://` URL; without it the
   * system CAs apply. The certificate and its host name are always verified: there is no way to turn that off.
   */
  tlsCa?: string | null;
  /**
   * Ask these sentinels for the primary named `name` instead of connecting to the URL's host; the URL still gives
   * user, password and database. When the primary goes away, each reconnect asks the sentinels again, so the client
   * lands on the promoted replica at the first retry after the promotion (≤ 2 s); a primary demoted while connected
   * answers writes with READONLY, which reconnects too. (ioredis's `failoverDetector` is not used: in ioredis 6.0 a
   * `+switch-master` arriving while the client reconnects ended the client for good in our failover test.)
   */
  sentinel?: { sentinels: Array<{ host: string; port: number }>; name: string; password: string | null } | null;
}

/** Node's TLS error codes for a server certificate that could not be verified (chain, expiry, host name). */
const CERT_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What a user should read when the TLS handshake failed on the server's certificate; null for any other error. */
export function tlsCertificateErrorText(err: Error & { code?: string }): string | null {
  if (!err.code || !CERT_ERROR_CODES.has(err.code)) {
    return null;
  }
  return `the Redis server's TLS certificate could not be verified (${err.code}: ${err.message}); check JOBSCOPE_REDIS_TLS_CA_FILE and the host name in REDIS_URL`;
}

/** Per connection: no offline queue, one retry, 2 s to connect and 2 s per command, reconnecting in the background. */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  // A frozen Redis must not hold a 2 s poll for long; the slowest read (200 queues) takes ~15 ms.
  commandTimeout: 2000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
};

function tlsOptions(url: string, tlsCa: string | null): Pick<RedisOptions, 'tls'> {
  // Only `ca` is set: Node's defaults (rejectUnauthorized, host name check against the host) stay on.
  return url.startsWith('rediss://') ? { tls: tlsCa ? { ca: tlsCa } : {} } : {};
}

/** The service's client for the BullMQ source, actions and audit: a Cluster client with `cluster` seed nodes. */
export function createServiceClient(
  url: string,
  logger: Logger,
  opts: RedisClientOptions & { cluster: Array<{ host: string; port: number }> | null }
): RedisClient {
  return opts.cluster ? createClusterClient(url, opts.cluster, logger, opts.tlsCa ?? null) : createRedisClient(url, logger, opts);
}

/**
 * A Cluster client from seed nodes; user, password and TLS come from REDIS_URL. It follows MOVED and ASK itself
 * (resharding), and re-reads the slot map every second, so a replica promoted after its master died serves that
 * master's slots within about a second. A command for a master that is down fails after its first reconnect attempt
 * (one retry per command): the BullMQ source then serves that node's queues from the last good read, marked stale.
 */
function createClusterClient(url: string, nodes: Array<{ host: string; port: number }>, logger: Logger, tlsCa: string | null): Cluster {
  const parsed = new URL(url);
  const { enableOfflineQueue: _nodesQueue, ...nodeOptions } = FAIL_FAST;
  const options: ClusterOptions = {
    enableOfflineQueue: false,
    scaleReads: 'master',
    slotsRefreshInterval: 1000,
    slotsRefreshTimeout: 2000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    // Up to ~1.6 s of retries while the slot map catches up, then the command fails (the read goes stale for it).
    maxRedirections: 8,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    redisOptions: {
      // Without FAIL_FAST's enableOfflineQueue: node connections are made lazily on their first command, which must
      // wait for the connection, not fail (ioredis turns the nodes' offline queue on).
      ...nodeOptions,
      ...tlsOptions(url, tlsCa),
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    },
  };
  const client = new Cluster(nodes, options);
  let lastError = '';
  const logOnce = (err: Error, what: string) => {
    if (err.message !== lastError) {
      lastError = err.message;
      logger.warn({ err: err.message }, what);
    }
  };
  client.on('error', (err: Error & { lastNodeError?: Error }) => {
    logOnce(err, 'redis cluster error');
    // "Failed to refresh slots cache" says little; the node's own error (WRONGPASS, ECONNREFUSED) says why.
    recordClusterError(client, err.lastNodeError?.message ?? err.message);
  });
  client.on('node error', (err: Error, node: string) => {
    logOnce(err, `redis cluster node ${node} error`);
    recordClusterError(client, `${node}: ${err.message}`);
  });
  client.on('ready', () => {
    if (lastError) {
      logger.info('redis cluster connection restored');
    }
    lastError = '';
    recordClusterError(client, null);
  });
  return client;
}

/** ioredis's text for a command sent while the connection is down and the offline queue is off. */
const OFFLINE = /enableOfflineQueue/;

/**
 * The service's one Redis client. Fail fast: no offline queue and one retry per command, so requests answer quickly
 * while Redis is down; ioredis keeps reconnecting in the background on its own. `rediss://` URLs verify the server
 * certificate against `tlsCa` (or the system CAs); `redis://` is plain TCP.
 */
export function createRedisClient(url: string, logger: Logger, opts: RedisClientOptions = {}): Redis {
  const options: RedisOptions = { ...FAIL_FAST, ...tlsOptions(url, opts.tlsCa ?? null) };
  if (opts.sentinel) {
    options.sentinels = opts.sentinel.sentinels;
    options.name = opts.sentinel.name;
    options.sentinelPassword = opts.sentinel.password ?? undefined;
    options.reconnectOnError = (err) => (err.message.startsWith('READONLY') ? 2 : false);
    // A sentinel that does not answer must not hold the reconnect: try the next one.
    options.sentinelRetryStrategy = (attempt) => Math.min(attempt * 200, 2000);
  }
  const client = new Redis(url, options);
  let lastError = '';
  /** Set while the last connection attempt failed on the server's certificate. */
  let certificateError: string | null = null;
  client.on('error', (err: Error & { code?: string }) => {
    certificateError = tlsCertificateErrorText(err);
    // ioredis emits the same error on every reconnect attempt; log each distinct one once.
    if (err.message !== lastError) {
      lastError = err.message;
      logger.warn({ err: err.message, ...(err.code ? { code: err.code } : {}) }, certificateError ?? 'redis connection error');
    }
  });
  client.on('ready', () => {
    if (lastError) {
      logger.info('redis connection restored');
    }
    lastError = '';
    certificateError = null;
  });
  // While the TLS handshake keeps failing on the certificate, commands say so (status, health, /readyz, actions)
  // instead of ioredis's generic "stream isn't writeable".
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command, stream) => {
    const reason = certificateError;
    if (reason) {
      const reject = command.reject;
      command.reject = (err: Error) => reject(OFFLINE.test(err.message) ? new Error(`not connected to Redis: ${reason}`) : err);
    }
    return send(command, stream);
  }) as Redis['sendCommand'];
  return client;
}
