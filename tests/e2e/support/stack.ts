// Everything one scenario file needs: private Redis, the real service, BullMQ kit, the preview server, Chromium.
// `stop()` tears all of it down and is safe to call after a partial start.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS } from './paths';
import { type HostId, type OrgRole, type PreviewServer, type Theme, startPreviewServer } from '../../../preview/preview-server';
import { e2eHost } from './host';
import { launchChromium } from './browser';
import { type BullmqKit, bullmqKit } from './bullmq';
import { type PrivateRedis, startPrivateRedis } from './redis-server';
import { type ServiceProcess, startService } from './service-process';

export interface StackOptions {
  name: string;
  role?: OrgRole;
  theme?: Theme;
  /** Queues the service should know before they have jobs (JOBSCOPE_QUEUES). */
  queues?: string[];
  /** How many key prefixes the service reads (JOBSCOPE_PREFIXES); `prefix` is the first. Default 1. */
  prefixes?: number;
  /** Service entry file instead of service/src/main.ts, e.g. MEMORY_SERVICE_MAIN (relative to the repository root). */
  serviceEntry?: string;
  /** Start the preview's plugin proxy buffering whole bodies (no live stream: the plugin polls); `preview.proxyBuffer` flips it. */
  proxyBuffer?: boolean;
  /** Extra service environment, e.g. JOBSCOPE_STREAM_INTERVAL_MS. */
  serviceEnv?: Record<string, string>;
  /** Also read Celery, on database 1 of the stack's redis-server (`celeryUrl`; BullMQ stays on database 0). */
  celery?: boolean;
  /** The Grafana version the preview host stands for; default `e2eHost()` (JOBSCOPE_E2E_HOST, else 13.2). */
  grafana?: HostId;
  /** The host page with React's development build (React's warnings reach the console). */
  reactDev?: boolean;
}

export interface Stack {
  prefix: string;
  /** Every prefix the service reads, `prefix` first. */
  prefixes: string[];
  apiToken: string;
  redis: PrivateRedis;
  /** With `celery: true`: the Celery broker and result backend the service reads (database 1 of `redis`). */
  celeryUrl: string | null;
  service: ServiceProcess;
  /** BullMQ producers and workers for `prefix`. */
  bull: BullmqKit;
  /** The same for another of `prefixes` (closed by `stop()`). */
  bullAt(prefix: string): BullmqKit;
  preview: PreviewServer;
  browser: Browser;
  /** A fresh page with console errors collected in `errors`, and every console message (`type: text`) in `messages`. */
  newPage(opts?: { viewport?: { width: number; height: number } }): Promise<Page & { errors: string[]; messages: string[] }>;
  /** Another preview server on the same service, e.g. for a different role. */
  extraPreview(role: OrgRole): Promise<PreviewServer>;
  stop(): Promise<void>;
}

export const E2E_LOG_DIR = path.join(ARTIFACTS, 'logs');

/** Logs of earlier runs are kept for a while to debug failures, not forever. */
function pruneOldLogs(maxAgeMs = 60 * 60 * 1000): void {
  for (const f of fs.readdirSync(E2E_LOG_DIR)) {
    const file = path.join(E2E_LOG_DIR, f);
    if (Date.now() - fs.statSync(file).mtimeMs > maxAgeMs) {
      fs.rmSync(file, { force: true });
    }
  }
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  fs.mkdirSync(E2E_LOG_DIR, { recursive: true });
  pruneOldLogs();
  const base = `jse2e${randomBytes(4).toString('hex')}`;
  const prefixes = Array.from({ length: opts.prefixes ?? 1 }, (_, i) => (i === 0 ? base : `${base}p${i + 1}`));
  const prefix = prefixes[0];
  const apiToken = `e2e-${randomBytes(12).toString('hex')}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const grafana = opts.grafana ?? e2eHost();
  const partial: Partial<Stack> = { prefix, prefixes, apiToken };
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((e: unknown) => console.warn(`[e2e ${opts.name}] cleanup failed: ${String(e)}`));
    }
    cleanups.length = 0;
  };
  try {
    const redis = await startPrivateRedis(E2E_LOG_DIR);
    cleanups.push(() => redis.destroy());
    const kits = new Map<string, BullmqKit>();
    const bullAt = (p: string) => {
      if (!prefixes.includes(p)) {
        throw new Error(`${p} is not one of the stack's prefixes (${prefixes.join(', ')})`);
      }
      let kit = kits.get(p);
      if (!kit) {
        const created = bullmqKit(redis.url, p);
        cleanups.push(() => created.close());
        kits.set(p, created);
        kit = created;
      }
      return kit;
    };
    const bull = bullAt(prefix);
    const celeryUrl = opts.celery ? `${redis.url}/1` : null;
    const service = await startService({
      redisUrl: redis.url,
      prefix: prefixes,
      apiToken,
      logDir: E2E_LOG_DIR,
      queues: opts.queues,
      entry: opts.serviceEntry,
      extraEnv: { ...(celeryUrl ? { JOBSCOPE_CELERY_BROKER_URL: celeryUrl } : {}), ...opts.serviceEnv },
    });
    cleanups.push(() => service.stop());
    const preview = await startPreviewServer({
      serviceUrl: service.url,
      apiToken,
      role: opts.role ?? 'Admin',
      theme: opts.theme,
      proxyBuffer: opts.proxyBuffer ?? false,
      grafana,
      reactDev: opts.reactDev,
    });
    cleanups.push(() => preview.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const contexts: BrowserContext[] = [];
    const extraPreview = async (role: OrgRole) => {
      const p = await startPreviewServer({ serviceUrl: service.url, apiToken, role, proxyBuffer: false, grafana, reactDev: opts.reactDev });
      cleanups.push(() => p.close());
      return p;
    };
    const newPage: Stack['newPage'] = async (pageOpts = {}) => {
      const context = await browser.newContext({ viewport: pageOpts.viewport ?? { width: 1400, height: 900 } });
      contexts.push(context);
      const page = (await context.newPage()) as Page & { errors: string[]; messages: string[] };
      page.errors = [];
      page.messages = [];
      page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        page.messages.push(`${m.type()}: ${m.text()}`);
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
          page.errors.push(`console: ${m.text()}`);
        }
      });
      return page;
    };
    return Object.assign(partial, { redis, celeryUrl, bull, bullAt, service, preview, browser, newPage, extraPreview, stop }) as Stack;
  } catch (e) {
    await stop();
    throw e;
  }
}
