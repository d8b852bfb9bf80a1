import { serve } from '@hono/node-server';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createService, type ServiceOptions } from './service';
import { SERVICE_VERSION } from './version';

/** Loads the configuration from the environment and serves until SIGTERM/SIGINT. */
export async function runService(options: ServiceOptions = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`jobscope: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const service = await createService(config, logger, options);
  const server = serve({ fetch: service.app.fetch, hostname: config.host, port: config.port }, (info) => {
    logger.info(
      { url: `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`, version: SERVICE_VERSION },
      'jobscope service listening'
    );
  });
  server.on('error', (err) => {
    logger.fatal({ err: err.message }, 'cannot listen');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    // Open event streams would keep the server from closing: end them first (browsers reconnect elsewhere).
    service.streams.close();
    server.close(() => {
      service.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Runs the service, exiting with a message when it cannot start. */
export function runServiceOrExit(options: ServiceOptions = {}): void {
  runService(options).catch((err) => {
    process.stderr.write(`jobscope: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}

if (require.main === module) {
  runServiceOrExit();
}
