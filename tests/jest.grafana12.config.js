// The browser scenarios again, on the preview host built from Grafana 12.4's packages (preview/host-12: @grafana/*
// 12.4, React 18) against the same grafana-plugin/dist/. Scenarios that need a newer Grafana skip with their reason.
module.exports = {
  ...require('../jest.node.config'),
  rootDir: __dirname,
  roots: ['<rootDir>/e2e'],
  setupFiles: ['<rootDir>/e2e/support/grafana12-env.js'],
  globalSetup: '<rootDir>/e2e/support/grafana12-env.js',
  reporters: ['default', '<rootDir>/e2e/support/host-pass-list-reporter.js'],
};
