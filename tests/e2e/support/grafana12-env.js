// Selects the Grafana 12.4 preview host (tests/e2e/support/host.ts) in every test file of the "grafana 12.4" project.
process.env.JOBSCOPE_E2E_HOST = '12.4';
