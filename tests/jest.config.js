// All of tests/ in one jest run with two projects, so the two Grafana hosts' browser scenarios share one worker pool
// (each scenario file owns its redis-server, service, preview server and Chromium on free ports):
// - "grafana 13.2": ops, launcher, the preview server's unit tests and every browser scenario on the preview host
//   built from the repository's @grafana/* 13.2 + React 19;
// - "grafana 12.4": the browser scenarios again, on the host built from Grafana 12.4's packages (preview/host-12:
//   @grafana/* 12.4, React 18) against the same grafana-plugin/dist/. Scenarios that need a newer Grafana skip with
//   their reason.
// `npm test` (package.json) runs them on two workers, except 13-live and 15-celery-mixed, which run afterwards on their
// own (why: tests/e2e/README.md). One project alone: `npx jest --selectProjects "grafana 12.4"`.
const base = require('../jest.node.config');

module.exports = {
  reporters: ['default', '<rootDir>/e2e/support/host-pass-list-reporter.js'],
  // The host bundles and the plugin's dist/ are built once, before the workers start.
  globalSetup: '<rootDir>/e2e/support/global-setup.ts',
  projects: [
    {
      ...base,
      displayName: 'grafana 13.2',
      rootDir: __dirname,
      // The preview server (../preview, used by `npm start` and by e2e/) keeps its unit tests beside it.
      roots: ['<rootDir>', '<rootDir>/../preview'],
    },
    {
      ...base,
      displayName: 'grafana 12.4',
      rootDir: __dirname,
      roots: ['<rootDir>/e2e'],
      setupFiles: ['<rootDir>/e2e/support/grafana12-env.js'],
    },
  ],
};
