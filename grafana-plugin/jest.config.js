// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  ...base,
  // @grafana/* 13.2 pulls in ESM-only packages (.mjs, @react-hookz, @ver0) that create-plugin 7.1.7 does not list.
  transform: { ...base.transform, '^.+\\.mjs$': swc },
  // Suites render all of @grafana/ui; on a shared 2-core machine the first test of a suite can take several seconds.
  testTimeout: 30_000,
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0/deep-equal'])],
};
