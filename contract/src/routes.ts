import { jobKey, type JobRef } from './job-ref';

/** Paths of the service's HTTP API, shared so the plugin and the service cannot disagree. */
export const API_PATHS = {
  status: '/api/settings/jobs/status',
  /** Server-Sent Events of the status payload (same filters). */
  stream: '/api/settings/jobs/stream',
  /** `POST`: add a job. Every per-job route lives under it: `/api/jobs/<encoded jobKey>[/action]`. */
  jobs: '/api/jobs',
  /** `GET ?q=`: find jobs by id or text (registered before `/api/jobs/:jobKey`). */
  search: '/api/jobs/search',
  /** `GET ?format=csv|json&<filters>&max=`: a download of the current view (registered before `/api/jobs/:jobKey`). */
  export: '/api/jobs/export',
  /** `GET`: every known queue with its source and prefix. Queue actions live under it. */
  queues: '/api/queues',
  /** `GET ?limit=`: the newest writes first. */
  audit: '/api/audit',
  health: '/api/health',
  metrics: '/metrics',
  livez: '/livez',
  readyz: '/readyz',
} as const;

/**
 * Path of one job (`GET` = detail) for its JobRef, with an optional action after it. The key is URL-encoded except its
 * `:` separators (allowed in a path segment; a part's own `:` is already `%3A` in the key, so it stays encoded).
 */
export function jobPath(ref: JobRef, action?: string): string {
  const key = encodeURIComponent(jobKey(ref)).replace(/%3A/g, ':');
  return `${API_PATHS.jobs}/${key}${action ? `/${action}` : ''}`;
}

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

/** `job` is a job key (`jobKey(ref)`): the Jobs tab highlights and opens that one job. */
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
