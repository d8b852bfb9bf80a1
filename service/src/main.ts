import { ConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';
import { createService, type Service, type ServiceOptions } from './service';
import { startHttpServer, type HttpServer } from './http/server';
import { SERVICE_VERSION } from './version';

export interface RunningServer {
  service: Service;
  http: HttpServer;
  /**
   * Graceful stop: /readyz 503 at once, no new connections, every answer `Connection: close`, open event streams
   * ended, in-flight requests finished (or cut after `config.shutdownTimeoutMs`), then Redis closed. Resolves true
   * when everything finished in time, false when connections had to be cut.
   */
  shutdown(): Promise<boolean>;
}

/** The service on a socket (`config.port` 0 = a free port): what main runs, and what tests start in-process. */
export async function startServer(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<RunningServer> {
  const service = await createService(config, logger, options);
  let http: HttpServer;
  try {
    http = await startHttpServer(service.app, { host: config.host, port: config.port, logger, ...config.http });
  } catch (err) {
    await service.close();
    throw err;
  }
  let stopped: Promise<boolean> | null = null;
  const shutdown = () => {
    stopped ??= (async () => {
      service.beginShutdown();
      const { server } = http;
      // Keep-alive clients are told to reconnect (elsewhere) with the answer they are waiting for.
      http.beginClose();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open event streams would keep the server from closing: end them first (browsers reconnect elsewhere).
      service.streams.close();
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
        }),
      ]);
      clearInterval(sweep);
      clearTimeout(timer);
      if (!inTime) {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: closing the remaining connections');
        server.closeAllConnections();
      }
      await service.close();
      return inTime;
    })();
    return stopped;
  };
  return { service, http, shutdown };
}

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
  let running: RunningServer;
  try {
    running = await startServer(config, logger, options);
  } catch (err) {
    logger.fatal({ err: err instanceof Error ? err.message : String(err) }, 'cannot listen');
    process.exit(1);
  }
  logger.info({ url: running.http.url, version: SERVICE_VERSION }, 'jobscope service listening');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down');
    running
      .shutdown()
      .then((inTime) => {
        logger.info({ inTime }, 'shut down');
        process.exit(inTime ? 0 : 1);
      })
      .catch((err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
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
