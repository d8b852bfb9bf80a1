import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createService, type Service } from '../src/service';

export interface ServiceUnderTest {
  service: Service;
  /** Base URL, e.g. http://127.0.0.1:43121 */
  url: string;
  close(): Promise<void>;
}

/**
 * The real service (config from env, as main.ts does) on @hono/node-server, loopback, free port. Snapshot TTL 0 so
 * every request reads Redis; the queue list is explicit so no discovery SCAN runs during the measurement.
 */
export async function startService(redisUrl: string, prefix: string, queues: string[]): Promise<ServiceUnderTest> {
  const config = loadConfig({
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    JOBSCOPE_PREFIXES: prefix,
    JOBSCOPE_QUEUES: queues.join(','),
    JOBSCOPE_SNAPSHOT_TTL_MS: '0',
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    LOG_LEVEL: 'warn',
  });
  const service = await createService(config, createLogger(config.logLevel));
  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = serve({ fetch: service.app.fetch, hostname: config.host, port: config.port }, () => resolve(s as http.Server));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    service,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
    },
  };
}
