import { type PluginExtensionAddedLinkConfig, PluginExtensionPoints } from '@grafana/data';
import { alertInstanceLinkConfig } from './alertInstanceLink';
import { commandPaletteLinkConfigs } from './commandPaletteLinks';
import { panelMenuLinkConfig } from './panelMenuLink';

/** A link of any context (each config's `configure` takes its own extension point's context). */
export type AddedLink = PluginExtensionAddedLinkConfig<never>;

/** Every link the plugin adds, in plugin.json's `extensions.addedLinks` order. */
export const ADDED_LINKS: readonly AddedLink[] = [panelMenuLinkConfig, alertInstanceLinkConfig, ...commandPaletteLinkConfigs];

/**
 * The extension point ids the running Grafana knows: the values of its `PluginExtensionPoints` (@grafana/data is the
 * host's own copy at run time, so an older Grafana has fewer).
 */
export function hostExtensionPoints(points: object = PluginExtensionPoints ?? {}): ReadonlySet<string> {
  return new Set(Object.values(points).filter((v): v is string => typeof v === 'string'));
}

const targetsOf = (link: AddedLink): string[] => (Array.isArray(link.targets) ? link.targets : [link.targets]);

/**
 * The links to register on this host: each with the targets the host knows, and none whose targets it knows none of
 * (a Grafana without the command palette's extension point gets no command palette links, the rest still work).
 */
export function linksForHost(known: ReadonlySet<string> = hostExtensionPoints()): AddedLink[] {
  return ADDED_LINKS.flatMap((link) => {
    const targets = targetsOf(link).filter((t) => known.has(t));
    return targets.length > 0 ? [{ ...link, targets }] : [];
  });
}
