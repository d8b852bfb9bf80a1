import type { Redis } from 'ioredis';

export interface Monitor {
  /** Ends MONITOR. Safe while the server is still streaming lines. */
  stop(): void;
}

/**
 * MONITOR on a connection of its own (ioredis's `monitor()`), every command given to `onCommand`. Its stop() ignores
 * what comes after: once disconnect() has begun, the connection is no longer "monitoring", so a line already in flight
 * is parsed as a command reply and ioredis raises "Command queue state error" — under load, with busy workers on the
 * same Redis, that happened.
 */
export async function startMonitor(client: Redis, onCommand: (args: string[], source: string) => void): Promise<Monitor> {
  const monitor = await client.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => onCommand(args.map(String), source));
  return {
    stop() {
      monitor.removeAllListeners('monitor');
      monitor.on('error', () => undefined);
      monitor.disconnect();
    },
  };
}
