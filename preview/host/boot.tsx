// What the preview server writes into the page before host.js (see preview/page.ts).
import type { AppPluginMeta } from '@grafana/data';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

export interface HostBoot {
  pluginId: string;
  role: OrgRole;
  theme: 'dark' | 'light';
}

export function readBoot(): HostBoot {
  const boot = (window as unknown as { __JOBSCOPE_HOST_BOOT__?: HostBoot }).__JOBSCOPE_HOST_BOOT__;
  if (!boot) {
    throw new Error('window.__JOBSCOPE_HOST_BOOT__ is missing: the host page must be served by the preview server');
  }
  return boot;
}

/** Grafana gets an app's meta from GET /api/plugins/<id>/settings (getPluginSettings) before importing it. */
export async function fetchPluginMeta(pluginId: string): Promise<AppPluginMeta> {
  const r = await window.fetch(`/api/plugins/${pluginId}/settings`);
  if (!r.ok) {
    throw new Error(`GET /api/plugins/${pluginId}/settings answered ${r.status}`);
  }
  return (await r.json()) as AppPluginMeta;
}
