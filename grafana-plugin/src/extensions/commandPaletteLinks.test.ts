import { commandPaletteLinkConfigs } from './commandPaletteLinks';

test('the command palette links open the Jobs tab on failed and on running jobs', () => {
  expect(commandPaletteLinkConfigs.map((l) => [l.title, l.path, l.targets])).toEqual([
    ['Jobscope: failed jobs', '/a/jobscope-jobs-app/settings?tab=jobs&state=FAILURE', ['grafana/commandpalette/action']],
    ['Jobscope: running jobs', '/a/jobscope-jobs-app/settings?tab=jobs&state=RUNNING', ['grafana/commandpalette/action']],
  ]);
  // Grafana 12 shows at most 3 command palette links per plugin.
  expect(commandPaletteLinkConfigs.length).toBeLessThanOrEqual(3);
  expect(commandPaletteLinkConfigs.every((l) => l.configure === undefined)).toBe(true);
});
