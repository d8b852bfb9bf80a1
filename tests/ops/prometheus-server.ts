import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, waitUntil } from '../e2e/support/net';
import { type Spawned, spawnLogged, tailOf } from '../e2e/support/processes';
import { readYaml, repoPath } from './repo';

export interface PrometheusServer {
  url: string;
  logFile: string;
  /** Instant query; throws on a PromQL error (Prometheus answers 400 with the parser's message). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  labelValues(label: string, match: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A private Prometheus (Debian's `prometheus` binary) running the shipped scrape config, with only the target
 * pointed at the test's service and a 1 s interval so the test does not wait 15 s per sample.
 */
export async function startPrometheus(
  binary: string,
  serviceHostPort: string,
  opts: { configFile?: string; readToken?: string } = {}
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'jobscope-ops-prometheus-'));
  const shipped = readYaml<{ global: Record<string, string>; rule_files?: string[]; scrape_configs: Array<Record<string, unknown>> }>(
    opts.configFile ?? 'provisioning/prometheus/prometheus.yml'
  );
  // The read-token variant reads the token from a container path; give it a private file instead.
  const tokenFile = join(dir, 'jobscope-read-token');
  writeFileSync(tokenFile, opts.readToken ?? '', { mode: 0o600 });
  const withTokenFile = (auth: unknown) =>
    auth && typeof auth === 'object' ? { authorization: { ...(auth as object), credentials_file: tokenFile } } : {};
  const config = {
    ...shipped,
    // Container paths (/etc/prometheus/...) are the mounted provisioning/prometheus folder.
    rule_files: ((shipped.rule_files as string[] | undefined) ?? []).map((f) => repoPath('provisioning/prometheus', f.replace('/etc/prometheus/', ''))),
    global: { ...shipped.global, scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: shipped.scrape_configs.map((s) => ({
      ...s,
      scrape_interval: '1s',
      scrape_timeout: '1s',
      static_configs: [{ targets: [serviceHostPort] }],
      ...withTokenFile(s.authorization),
    })),
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'prometheus.log');
  const proc: Spawned = spawnLogged(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { cwd: dir, logFile }
  );
  try {
    await waitUntil(`prometheus on ${url}`, async () => (await fetch(`${url}/-/ready`)).ok, 30_000, 200);
  } catch (e) {
    await proc.stop();
    throw new Error(`${(e as Error).message}\n${tailOf(logFile)}`);
  }
  const api = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: unknown; error?: string };
    if (body.status !== 'success') {
      throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    }
    return body.data;
  };
  return {
    url,
    logFile,
    async query(expr) {
      const data = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      return data.result;
    },
    async labelValues(label, match) {
      return (await api(`/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`)) as string[];
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
