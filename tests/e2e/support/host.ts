// Which Grafana version the preview host stands for in this test file: JOBSCOPE_E2E_HOST (13.2 | 12.4), set by the
// "grafana 12.4" project of tests/jest.config.js; 13.2 otherwise. Scenarios that need a newer Grafana skip with
// `onlyFrom`, which says why.
import { type HostId, isHostId } from '../../../preview/hosts';

export function e2eHost(): HostId {
  const value = process.env.JOBSCOPE_E2E_HOST ?? '13.2';
  if (!isHostId(value)) {
    throw new Error(`JOBSCOPE_E2E_HOST must be 13.2 or 12.4, got ${JSON.stringify(value)}`);
  }
  return value;
}

const RANK: Record<HostId, number> = { '12.4': 0, '13.2': 1 };

/**
 * `test` when this run's host is `minimum` or newer, else `test.skip` with the reason printed once (the pass list in
 * grafana-plugin/src/README.md states the same reason).
 */
export function onlyFrom(minimum: HostId, reason: string): jest.It {
  if (RANK[e2eHost()] >= RANK[minimum]) {
    return test;
  }
  console.log(`[e2e grafana ${e2eHost()}] skipped (needs Grafana ${minimum}): ${reason}`);
  return test.skip;
}
