/** Paths of the service's HTTP API, shared so the plugin and the service cannot disagree. */
export const API_PATHS = {
  status: '/api/settings/jobs/status',
  enqueue: '/api/jobs',
  health: '/api/health',
  metrics: '/metrics',
  livez: '/livez',
  readyz: '/readyz',
} as const;

export const PLUGIN_ID = 'jobscope-jobs-app';

/**
 * The plugin reaches the service only through Grafana's plugin proxy: `/api/plugin-proxy/<id>/api/...` is forwarded by
 * the plugin.json route with path `api` to `<serviceUrl>/api/...`, with the API token added server-side.
 */
export const PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}`;

/** URL the plugin calls for a service API path (which must start with `/api/`). */
export function proxyUrl(apiPath: string): string {
  if (!apiPath.startsWith('/api/')) {
    throw new Error(`only /api/ paths go through the plugin proxy: ${apiPath}`);
  }
  return `${PROXY_BASE}${apiPath}`;
}

/** Query-string keys of the plugin's Settings page, used by dashboards, alerts and the panel-menu link. */
export const SETTINGS_PAGE_PATH = `/a/${PLUGIN_ID}/settings`;
export const SETTINGS_TABS = ['general', 'jobs', 'queues'] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

export function jobsTabUrl(filter: { queue?: string; state?: string; job?: string } = {}): string {
  const params = new URLSearchParams({ tab: 'jobs' });
  for (const key of ['queue', 'state', 'job'] as const) {
    const value = filter[key];
    if (value) {
      params.set(key, value);
    }
  }
  return `${SETTINGS_PAGE_PATH}?${params.toString()}`;
}
