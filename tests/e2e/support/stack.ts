// Everything one scenario file needs: private Redis, the real service, BullMQ kit, the preview server, Chromium.
// `stop()` tears all of it down and is safe to call after a partial start.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS } from '../server/paths';
import { type OrgRole, type PreviewServer, type Theme, startPreviewServer } from '../server/preview-server';
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
}

export interface Stack {
  prefix: string;
  apiToken: string;
  redis: PrivateRedis;
  service: ServiceProcess;
  bull: BullmqKit;
  preview: PreviewServer;
  browser: Browser;
  /** A fresh page with console errors collected in `errors`. */
  newPage(opts?: { viewport?: { width: number; height: number } }): Promise<Page & { errors: string[] }>;
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
  const prefix = `jse2e${randomBytes(4).toString('hex')}`;
  const apiToken = `e2e-${randomBytes(12).toString('hex')}`;
  const cleanups: Array<() => Promise<unknown>> = [];
  const partial: Partial<Stack> = { prefix, apiToken };
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((e: unknown) => console.warn(`[e2e ${opts.name}] cleanup failed: ${String(e)}`));
    }
    cleanups.length = 0;
  };
  try {
    const redis = await startPrivateRedis(E2E_LOG_DIR);
    cleanups.push(() => redis.destroy());
    const bull = bullmqKit(redis.url, prefix);
    cleanups.push(() => bull.close());
    const service = await startService({ redisUrl: redis.url, prefix, apiToken, logDir: E2E_LOG_DIR, queues: opts.queues });
    cleanups.push(() => service.stop());
    const preview = await startPreviewServer({ serviceUrl: service.url, apiToken, role: opts.role ?? 'Admin', theme: opts.theme });
    cleanups.push(() => preview.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const contexts: BrowserContext[] = [];
    const extraPreview = async (role: OrgRole) => {
      const p = await startPreviewServer({ serviceUrl: service.url, apiToken, role });
      cleanups.push(() => p.close());
      return p;
    };
    const newPage: Stack['newPage'] = async (pageOpts = {}) => {
      const context = await browser.newContext({ viewport: pageOpts.viewport ?? { width: 1400, height: 900 } });
      contexts.push(context);
      const page = (await context.newPage()) as Page & { errors: string[] };
      page.errors = [];
      page.on('pageerror', (e) => page.errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
          page.errors.push(`console: ${m.text()}`);
        }
      });
      return page;
    };
    return Object.assign(partial, { redis, bull, service, preview, browser, newPage, extraPreview, stop }) as Stack;
  } catch (e) {
    await stop();
    throw e;
  }
}
