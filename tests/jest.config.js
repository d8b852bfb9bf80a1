module.exports = {
  ...require('../jest.node.config'),
  rootDir: __dirname,
  // The preview server (../preview, used by `npm start` and by e2e/) keeps its unit tests beside it.
  roots: ['<rootDir>', '<rootDir>/../preview'],
  reporters: ['default', '<rootDir>/e2e/support/host-pass-list-reporter.js'],
};
