import type { PluginExtensionAddedLinkConfig } from '@grafana/data';
import { jobsTabUrl } from '@jobscope/contract';

/** `PluginExtensionPoints.CommandPalette` (Grafana 12.0 and later, which show at most 3 links per plugin). */
export const COMMAND_PALETTE = 'grafana/commandpalette/action';

export const COMMAND_PALETTE_LINKS = [
  { title: 'Jobscope: failed jobs', description: 'Open the Jobs tab showing failed jobs', targets: [COMMAND_PALETTE], state: 'FAILURE' },
  { title: 'Jobscope: running jobs', description: 'Open the Jobs tab showing running jobs', targets: [COMMAND_PALETTE], state: 'RUNNING' },
] as const;

export const commandPaletteLinkConfigs: Array<PluginExtensionAddedLinkConfig<object>> = COMMAND_PALETTE_LINKS.map((link) => ({
  title: link.title,
  description: link.description,
  targets: [...link.targets],
  path: jobsTabUrl({ state: link.state }),
  icon: 'list-ul',
}));
