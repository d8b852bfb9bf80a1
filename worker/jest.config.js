module.exports = {
  ...require('../jest.node.config'),
  rootDir: __dirname,
};
