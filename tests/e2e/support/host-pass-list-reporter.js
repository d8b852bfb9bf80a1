// Jest reporter: after a run, prints which browser scenarios passed, were skipped (with the reason the scenario logs)
// or failed on the Grafana host this run stood for (JOBSCOPE_E2E_HOST), one line per scenario file.
const path = require('node:path');

class HostPassListReporter {
  onRunComplete(_contexts, results) {
    const host = process.env.JOBSCOPE_E2E_HOST || '13.2';
    const scenarios = results.testResults.filter((r) => r.testFilePath.includes(`${path.sep}e2e${path.sep}scenarios${path.sep}`));
    if (scenarios.length === 0) {
      return;
    }
    const lines = scenarios
      .sort((a, b) => a.testFilePath.localeCompare(b.testFilePath))
      .map((r) => {
        const count = (status) => r.testResults.filter((t) => t.status === status).length;
        const passed = count('passed');
        const skipped = count('pending') + count('skipped');
        const failed = count('failed') + (r.testExecError ? 1 : 0);
        const mark = failed > 0 ? 'FAIL' : passed > 0 ? 'pass' : 'skip';
        return `  ${mark}  ${path.basename(r.testFilePath, '.test.ts')}: ${passed} passed${skipped ? `, ${skipped} skipped` : ''}${failed ? `, ${failed} failed` : ''}`;
      });
    process.stdout.write(`\nBrowser scenarios on the Grafana ${host} host (same grafana-plugin/dist/):\n${lines.join('\n')}\n`);
  }
}

module.exports = HostPassListReporter;
