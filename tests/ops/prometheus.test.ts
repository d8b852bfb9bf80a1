import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { API_PATHS, METRICS } from '@jobscope/contract';
import { metricNames } from './promql';
import { readText, readYaml, repoPath } from './repo';
import { describeWithTool } from './tools';

interface ScrapeConfig {
  job_name: string;
  metrics_path: string;
  authorization?: { type: string; credentials_file: string };
  static_configs: Array<{ targets: string[] }>;
}
interface PromConfig {
  global: Record<string, string>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
}

/** Container paths under /etc/prometheus are provisioning/prometheus in the repo (docker-compose.yml mounts it). */
const CONTAINER_DIR = '/etc/prometheus/';
const inRepo = (containerPath: string) => repoPath('provisioning/prometheus', containerPath.slice(CONTAINER_DIR.length));

const PLAIN = 'provisioning/prometheus/prometheus.yml';
const WITH_TOKEN = 'provisioning/prometheus/prometheus-read-token.yml';
const plain = readYaml<PromConfig>(PLAIN);
const withToken = readYaml<PromConfig>(WITH_TOKEN);
const compose = readYaml<{ services: Record<string, { environment?: Record<string, string> }> }>('docker-compose.yml');

describe('Prometheus scrape config (static)', () => {
  const job = plain.scrape_configs.find((s) => s.job_name === 'jobscope') as ScrapeConfig;

  it(`scrapes the service's ${API_PATHS.metrics} at its compose name and port`, () => {
    expect(job.metrics_path).toBe(API_PATHS.metrics);
    const port = compose.services['jobscope-service'].environment?.PORT;
    expect(job.static_configs[0].targets).toEqual([`jobscope-service:${port}`]);
  });

  it('the read-token variant differs only by a bearer token read from a file', () => {
    const tokenJob = withToken.scrape_configs.find((s) => s.job_name === 'jobscope') as ScrapeConfig;
    expect(tokenJob.authorization).toEqual({ type: 'Bearer', credentials_file: '/prometheus/jobscope-read-token' });
    const { authorization: _dropped, ...rest } = tokenJob;
    expect({ ...withToken, scrape_configs: [rest] }).toEqual(plain);
  });

  it('loads the recording rules from the mounted folder, and they only read contract metrics', () => {
    for (const cfg of [plain, withToken]) {
      expect(cfg.rule_files).toEqual([`${CONTAINER_DIR}jobscope-recording-rules.yml`]);
    }
    const rules = readYaml<{ groups: Array<{ rules: Array<{ record: string; expr: string }> }> }>(
      'provisioning/prometheus/jobscope-recording-rules.yml'
    ).groups.flatMap((g) => g.rules);
    expect(rules).toContainEqual({ record: 'bullmq_job_count', expr: METRICS.jobCount });
    for (const r of rules) {
      expect(metricNames(r.expr).every((n) => (Object.values(METRICS) as string[]).includes(n))).toBe(true);
    }
  });

  it('entrypoint.sh writes the token file the variant reads and selects the variant only with a token', () => {
    const script = readText('provisioning/prometheus/entrypoint.sh');
    expect(script).toContain('/prometheus/jobscope-read-token');
    expect(script).toContain('/etc/prometheus/prometheus-read-token.yml');
    expect(script).toContain('/etc/prometheus/prometheus.yml');
    expect(script).toMatch(/if \[ -n "\$\{JOBSCOPE_READ_TOKEN:-\}" \]/);
    const syntax = spawnSync('sh', ['-n', repoPath('provisioning/prometheus/entrypoint.sh')], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
  });
});

describeWithTool('promtool', 'prometheus', 'promtool check config / rules', (promtool) => {
  const check = (file: string) => spawnSync(promtool, ['check', 'config', file], { encoding: 'utf8' });

  /**
   * promtool opens rule files and credentials files; write a copy whose container paths point at the repo's files
   * (what the compose mount provides) and at a temporary token file.
   */
  function checkAsMounted(cfg: PromConfig) {
    const dir = mkdtempSync(join(tmpdir(), 'jobscope-promtool-'));
    try {
      const copy = structuredClone(cfg);
      copy.rule_files = (copy.rule_files ?? []).map(inRepo);
      for (const job of copy.scrape_configs) {
        if (job.authorization) {
          const tokenFile = join(dir, 'jobscope-read-token');
          writeFileSync(tokenFile, 'read-token-for-promtool', { mode: 0o600 });
          job.authorization.credentials_file = tokenFile;
        }
      }
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, stringify(copy));
      return check(configFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it.each([
    [PLAIN, plain],
    [WITH_TOKEN, withToken],
  ])('accepts %s (with the recording rules it loads)', (_name, cfg) => {
    const r = checkAsMounted(cfg);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.stdout).toContain('1 rules found');
    expect(r.status).toBe(0);
  });

  it('accepts the recording rules', () => {
    const r = spawnSync(promtool, ['check', 'rules', repoPath('provisioning/prometheus/jobscope-recording-rules.yml')], { encoding: 'utf8' });
    expect(r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('rejects a broken config (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobscope-promtool-'));
    try {
      const configFile = join(dir, 'prometheus.yml');
      writeFileSync(configFile, stringify({ ...plain, scrape_configs: [{ ...plain.scrape_configs[0], scrape_interval: 'soon' }] }));
      expect(check(configFile).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
