// The part of Grafana's extension registry the panel-menu link needs (public/app/features/plugins/extensions/):
// pick the plugin's added links for an extension point, call `configure` with a read-only copy of the context,
// check the resulting path stays inside the app, and navigate the way a same-origin link does (client-side).
import type { AppPlugin, PluginExtensionAddedLinkConfig } from '@grafana/data';
import { locationService } from '@grafana/runtime';

export const PANEL_MENU_EXTENSION_POINT = 'grafana/dashboard/panel/menu';

export interface ResolvedLink {
  title: string;
  path: string;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) {
      deepFreeze(v);
    }
  }
  return value;
}

function targetsOf(config: PluginExtensionAddedLinkConfig): string[] {
  return Array.isArray(config.targets) ? config.targets : [config.targets];
}

export function resolveAddedLinks(plugin: AppPlugin, pluginId: string, extensionPointId: string, context: object): ResolvedLink[] {
  const links: ResolvedLink[] = [];
  const declared = plugin.meta.extensions?.addedLinks ?? [];
  for (const config of plugin.addedLinkConfigs) {
    if (!targetsOf(config).includes(extensionPointId)) {
      continue;
    }
    // Grafana ignores a link that plugin.json's extensions.addedLinks does not declare with the same title and target.
    const listed = declared.some((d) => d.title === config.title && (Array.isArray(d.targets) ? d.targets : [d.targets]).includes(extensionPointId));
    if (!listed) {
      console.error(`[host] added link "${config.title}" is not declared in plugin.json extensions.addedLinks: ignored, as Grafana does`);
      continue;
    }
    const frozen = deepFreeze(structuredClone(context));
    const override = config.configure ? config.configure(frozen as never) : {};
    if (override === undefined) {
      continue; // configure() returning undefined hides the link, as in Grafana.
    }
    const path = override?.path ?? config.path;
    if (!path || !path.startsWith(`/a/${pluginId}/`)) {
      throw new Error(`Invalid link extension: "path" must start with "/a/${pluginId}/", got ${JSON.stringify(path)}`);
    }
    links.push({ title: override?.title ?? config.title, path });
  }
  return links;
}

export function openLink(link: ResolvedLink): void {
  locationService.push(link.path);
}
