// Selects the Grafana 12.4 preview host (tests/e2e/support/host.ts) in jest's process and in every test file.
process.env.JOBSCOPE_E2E_HOST = '12.4';
module.exports = async () => {
  process.env.JOBSCOPE_E2E_HOST = '12.4';
};
