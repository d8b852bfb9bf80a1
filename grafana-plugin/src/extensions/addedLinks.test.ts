import { PluginExtensionPoints } from '@grafana/data';
import { ADDED_LINKS, hostExtensionPoints, linksForHost } from './addedLinks';

const titles = (links: ReturnType<typeof linksForHost>) => links.map((l) => l.title);

describe('links for the running Grafana (feature detection)', () => {
  it("takes the extension points from the host's PluginExtensionPoints", () => {
    const known = hostExtensionPoints();
    expect(known.has('grafana/dashboard/panel/menu')).toBe(true);
    expect(known.has('grafana/alerting/instance/action')).toBe(true);
    expect(known.has('grafana/commandpalette/action')).toBe(true);
    expect(hostExtensionPoints({ DashboardPanelMenu: 'grafana/dashboard/panel/menu' })).toEqual(
      new Set(['grafana/dashboard/panel/menu'])
    );
  });

  it('registers every link where the host knows every extension point', () => {
    expect(linksForHost(hostExtensionPoints(PluginExtensionPoints))).toEqual(ADDED_LINKS);
  });

  it('leaves out the links of extension points an older host does not have, keeping the rest', () => {
    const old = hostExtensionPoints({ DashboardPanelMenu: 'grafana/dashboard/panel/menu' });
    expect(titles(linksForHost(old))).toEqual(['Show jobs in jobscope']);
    expect(linksForHost(new Set())).toEqual([]);
  });

  it('keeps only the known targets of a link', () => {
    const known = new Set(['grafana/commandpalette/action']);
    for (const link of linksForHost(known)) {
      expect(link.targets).toEqual(['grafana/commandpalette/action']);
    }
    expect(titles(linksForHost(known))).toEqual(['Jobscope: failed jobs', 'Jobscope: running jobs']);
  });
});
