// In-memory stand-in for Grafana's plugin settings (GET/POST /api/plugins/<id>/settings): jsonData is returned,
// secureJsonData never is (only secureJsonFields.<key> = true), and the proxy reads both from here.
import type { PluginJson } from './plugin-dist';

export interface PluginSettingsInput {
  enabled?: boolean;
  pinned?: boolean;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

export class PluginSettingsStore {
  enabled = true;
  pinned = true;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;

  constructor(
    private readonly pluginJson: PluginJson,
    initial: { jsonData: Record<string, unknown>; secureJsonData: Record<string, string> }
  ) {
    this.jsonData = { ...initial.jsonData };
    this.secureJsonData = { ...initial.secureJsonData };
  }

  /** Grafana replaces jsonData and overwrites only the secure keys it is sent. */
  update(input: PluginSettingsInput): void {
    if (typeof input.enabled === 'boolean') {
      this.enabled = input.enabled;
    }
    if (typeof input.pinned === 'boolean') {
      this.pinned = input.pinned;
    }
    if (input.jsonData && typeof input.jsonData === 'object') {
      this.jsonData = { ...input.jsonData };
    }
    for (const [key, value] of Object.entries(input.secureJsonData ?? {})) {
      this.secureJsonData[key] = String(value);
    }
  }

  /** The PluginSettingsDTO shape plugins see as `meta`. */
  meta(): Record<string, unknown> {
    const { routes: _routes, ...pluginJson } = this.pluginJson;
    const id = this.pluginJson.id;
    return {
      ...pluginJson,
      enabled: this.enabled,
      pinned: this.pinned,
      module: `public/plugins/${id}/module.js`,
      baseUrl: `public/plugins/${id}`,
      jsonData: this.jsonData,
      secureJsonFields: Object.fromEntries(Object.keys(this.secureJsonData).map((k) => [k, true])),
      defaultNavUrl: `/a/${id}`,
      signature: 'unsigned',
      hasUpdate: false,
      latestVersion: '',
      autoEnabled: false,
    };
  }
}
