import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createService, type Service, type ServiceOptions } from '../../src/service';

export const SHARED_REDIS_URL = process.env.JOBSCOPE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Shared Redis as host/port for BullMQ Queue/Worker options. */
export function sharedConnection(): { host: string; port: number } {
  const url = new URL(SHARED_REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
}

/**
 * A service built exactly as main.ts builds it, minus the socket: env values as strings, like the real environment.
 * Discovery runs only when the test calls `service.source.queueRegistry.refresh()`; the snapshot cache is off unless set;
 * the audit trail stays in memory unless JOBSCOPE_AUDIT_KEY is set.
 */
export async function startService(env: Record<string, string>, options: ServiceOptions = {}): Promise<Service> {
  const config = loadConfig({
    REDIS_URL: SHARED_REDIS_URL,
    JOBSCOPE_SNAPSHOT_TTL_MS: '0',
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    LOG_LEVEL: 'silent',
    // The shared audit stream is one key per Redis: tests on the shared Redis keep theirs in memory unless they ask.
    JOBSCOPE_AUDIT_KEY: 'off',
    ...env,
  });
  return createService(config, pino({ level: process.env.JOBSCOPE_TEST_LOG ?? 'silent' }), options);
}

/** GET a path and parse the JSON answer. */
export async function getJson(service: Service, url: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await service.app.request(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text: the test asserting JSON will say so
  }
  return { status: res.status, body, headers: res.headers };
}
