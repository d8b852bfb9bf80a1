// Jest reporter: after a run, prints which browser scenarios passed, were skipped (with the reason the scenario logs)
// or failed on each Grafana host, one list per jest project ("grafana 13.2", "grafana 12.4": tests/jest.config.js),
// one line per scenario file.
const path = require('node:path');

const SCENARIOS = `${path.sep}e2e${path.sep}scenarios${path.sep}`;

function hostOf(result) {
  const name = typeof result.displayName === 'string' ? result.displayName : result.displayName?.name;
  return /(\d+\.\d+)/.exec(name ?? '')?.[1] ?? '13.2';
}

function lineOf(r) {
  const count = (status) => r.testResults.filter((t) => t.status === status).length;
  const passed = count('passed');
  const skipped = count('pending') + count('skipped');
  const failed = count('failed') + (r.testExecError ? 1 : 0);
  const mark = failed > 0 ? 'FAIL' : passed > 0 ? 'pass' : 'skip';
  return `  ${mark}  ${path.basename(r.testFilePath, '.test.ts')}: ${passed} passed${skipped ? `, ${skipped} skipped` : ''}${failed ? `, ${failed} failed` : ''}`;
}

class HostPassListReporter {
  onRunComplete(_contexts, results) {
    const byHost = new Map();
    for (const r of results.testResults.filter((t) => t.testFilePath.includes(SCENARIOS))) {
      const host = hostOf(r);
      byHost.set(host, [...(byHost.get(host) ?? []), r]);
    }
    for (const [host, scenarios] of [...byHost].sort(([a], [b]) => b.localeCompare(a, undefined, { numeric: true }))) {
      const lines = scenarios.sort((a, b) => a.testFilePath.localeCompare(b.testFilePath)).map(lineOf);
      process.stdout.write(`\nBrowser scenarios on the Grafana ${host} host (same grafana-plugin/dist/):\n${lines.join('\n')}\n`);
    }
  }
}

module.exports = HostPassListReporter;
