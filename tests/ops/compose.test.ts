import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import { API_PATHS, PLUGIN_ID } from '@jobscope/contract';
import { REPO_ROOT, listFiles, readJson, readText, readYaml, repoPath } from './repo';
import { DOCUMENTED_SERVICE_ENV, envVarsReadBy, hasFolder } from './env-vars';
import { describeWithTool } from './tools';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | null>;
  env_file?: string | string[];
  volumes?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const raw = readYaml<ComposeFile>('docker-compose.yml');
const SERVICE = 'jobscope-service';
const DEMO = 'jobscope-demo';

/** Bind mounts of the raw file: `./src:target[:mode]`. */
function bindMounts(svc: ComposeService): Array<{ source: string; target: string }> {
  return (svc.volumes ?? [])
    .filter((v) => v.startsWith('./') || v.startsWith('../'))
    .map((v) => {
      const [source, target] = v.split(':');
      return { source: source.replace(/^\.\//, '').replace(/\/$/, ''), target };
    });
}

/** Paths that do not exist in a fresh checkout but are produced by a documented build step. */
const BUILD_OUTPUTS: Record<string, string> = { 'grafana-plugin/dist': 'npm run build' };

describe('docker-compose.yml (static)', () => {
  it('has the whole stack', () => {
    expect(Object.keys(raw.services).sort()).toEqual(['grafana', DEMO, SERVICE, 'prometheus', 'redis'].sort());
  });

  it('runs Redis with noeviction (BullMQ requirement)', () => {
    expect(JSON.stringify(raw.services.redis.command)).toContain('"--maxmemory-policy","noeviction"');
  });

  it('builds service and demo from service/Dockerfile with the repo root as context', () => {
    for (const name of [SERVICE, DEMO]) {
      expect(raw.services[name].build).toEqual({ context: '.', dockerfile: 'service/Dockerfile' });
    }
    expect(existsSync(repoPath('service/Dockerfile'))).toBe(true);
  });

  it('every bind-mount source and env file exists in the repo (or is a documented build output)', () => {
    const readme = readText('provisioning/README.md');
    for (const [name, svc] of Object.entries(raw.services)) {
      for (const { source } of bindMounts(svc)) {
        if (BUILD_OUTPUTS[source]) {
          expect(readme).toContain(BUILD_OUTPUTS[source]);
          continue;
        }
        expect(`${name}: ${source} ${existsSync(repoPath(source)) ? 'exists' : 'is missing'}`).toBe(`${name}: ${source} exists`);
      }
      for (const envFile of [svc.env_file ?? []].flat()) {
        expect(existsSync(repoPath(envFile))).toBe(true);
      }
    }
  });

  it('the plugin build output lands where Grafana loads it', () => {
    const mounts = bindMounts(raw.services.grafana);
    expect(mounts).toContainEqual({ source: 'grafana-plugin/dist', target: `/var/lib/grafana/plugins/${PLUGIN_ID}` });
    expect(mounts).toContainEqual({ source: 'provisioning', target: '/etc/grafana/provisioning' });
    expect(raw.services.grafana.environment?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).toBe(PLUGIN_ID);
    expect(raw.services.grafana.image).toMatch(/^grafana\/grafana:\$\{GRAFANA_VERSION:-13\.2\.\d+\}$/);
    const rootPkg = readJson<{ scripts: Record<string, string> }>('package.json');
    expect(rootPkg.scripts.build).toContain('grafana-plugin');
  });

  it('mounts the one dashboard source folder where the dashboard provider reads it', () => {
    const providerPaths = listFiles('provisioning/dashboards', /\.ya?ml$/).flatMap((f) =>
      readYaml<{ providers: Array<{ options: { path: string } }> }>(f).providers.map((p) => p.options.path)
    );
    const mounts = bindMounts(raw.services.grafana);
    for (const path of providerPaths) {
      const mount = mounts.find((m) => m.target === path);
      expect(mount?.source).toBe('grafana-plugin/src/dashboards');
      expect(listFiles(mount?.source as string, /\.json$/).length).toBeGreaterThan(0);
    }
  });

  it('mounts the shipped Prometheus config and entrypoint', () => {
    expect(bindMounts(raw.services.prometheus)).toContainEqual({ source: 'provisioning/prometheus', target: '/etc/prometheus' });
    expect(JSON.stringify(raw.services.prometheus.entrypoint)).toContain('/etc/prometheus/entrypoint.sh');
  });

  it(`checks the service's health on ${API_PATHS.readyz} and starts Grafana after it`, () => {
    expect(JSON.stringify(raw.services[SERVICE].healthcheck?.test)).toContain(API_PATHS.readyz);
    expect(readText('service/Dockerfile')).toContain(API_PATHS.readyz);
    expect(raw.services.grafana.depends_on?.[SERVICE]?.condition).toBe('service_healthy');
  });

  it('wires every environment variable the service reads, and documents it', () => {
    const read = envVarsReadBy('service/src');
    const all = [...new Set([...DOCUMENTED_SERVICE_ENV, ...read])].sort();
    const readme = readText('provisioning/README.md');
    const env = raw.services[SERVICE].environment ?? {};
    for (const v of all) {
      expect(`${v}: ${v in env ? 'wired' : 'not in compose'}`).toBe(`${v}: wired`);
      expect(`${v}: ${readme.includes(`\`${v}\``) ? 'documented' : 'not in provisioning/README.md'}`).toBe(`${v}: documented`);
    }
    expect(env.HOST).toBe('0.0.0.0');
  });

  it('wires the demo workload the environment it reads', () => {
    expect(hasFolder('service/demo')).toBe(true);
    const env = raw.services[DEMO].environment ?? {};
    for (const v of envVarsReadBy('service/demo')) {
      expect(`${v}: ${v in env ? 'wired' : 'not in compose'}`).toBe(`${v}: wired`);
    }
    const command = [raw.services[DEMO].command].flat() as string[];
    const script = command.find((c) => c.endsWith('.ts'));
    expect(script && existsSync(repoPath(script))).toBe(true);
  });

  it('gives Grafana every ${VAR} the Grafana provisioning files use', () => {
    const grafanaEnv = raw.services.grafana.environment ?? {};
    const files = listFiles('provisioning', /\.ya?ml$/).filter((f) => !f.startsWith('provisioning/prometheus/'));
    const used = new Set<string>();
    // Values only (comments may mention ${VAR} as an example).
    const strings = (node: unknown): string[] =>
      typeof node === 'string' ? [node] : node && typeof node === 'object' ? Object.values(node).flatMap(strings) : [];
    for (const f of files) {
      for (const s of strings(readYaml(f))) {
        for (const m of s.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}|\$([A-Z][A-Z0-9_]*)\b/g)) {
          used.add(m[1] ?? m[2]);
        }
      }
    }
    expect(used.size).toBeGreaterThan(0);
    for (const v of used) {
      expect(`${v}: ${v in grafanaEnv ? 'set' : 'missing from grafana environment'}`).toBe(`${v}: set`);
    }
  });

  it('shares one API token between the service and Grafana, with a default valid for the service (>= 8 chars)', () => {
    const s = raw.services[SERVICE].environment?.JOBSCOPE_API_TOKEN;
    const g = raw.services.grafana.environment?.JOBSCOPE_API_TOKEN;
    expect(s).toBe(g);
    const fallback = /^\$\{JOBSCOPE_API_TOKEN:-(.+)\}$/.exec(String(s));
    expect(fallback?.[1].length).toBeGreaterThanOrEqual(8);
  });
});

describe('service/Dockerfile (static)', () => {
  const dockerfile = readText('service/Dockerfile');
  const dockerignore = readText('.dockerignore');

  it('copies only paths that exist and are not excluded by .dockerignore', () => {
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+?)\s+\S+\s*$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(sources.length).toBeGreaterThan(3);
    for (const s of sources) {
      expect(`${s} ${existsSync(repoPath(s)) ? 'exists' : 'missing'}`).toBe(`${s} exists`);
    }
    expect(dockerignore).toMatch(/^\*\*\/node_modules$/m);
    expect(dockerignore).toMatch(/^!grafana-plugin\/package\.json$/m);
  });

  it('installs only the service, contract and worker workspaces, without dev dependencies, and runs with tsx', () => {
    expect(dockerfile).toMatch(/npm ci --workspace service --workspace contract --workspace worker --omit=dev/);
    expect(dockerfile).toContain('CMD ["node_modules/.bin/tsx", "service/src/main.ts"]');
    expect(existsSync(repoPath('service/src/main.ts'))).toBe(true);
    expect(JSON.stringify(readJson('service/package.json'))).toContain('"tsx"');
  });
});

describeWithTool('docker-compose', 'docker-compose', 'docker-compose config', (bin) => {
  /** Runs `docker-compose config` with a clean environment so the file's defaults apply. */
  function composeConfig(extraEnv: Record<string, string> = {}): ComposeFile {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extraEnv };
    const r = spawnSync(bin, ['-f', 'docker-compose.yml', 'config'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`docker-compose config failed (${r.status}): ${r.stderr}`);
    }
    return parse(r.stdout, { merge: true }) as ComposeFile;
  }

  it('accepts the file and resolves the defaults', () => {
    const cfg = composeConfig();
    expect(cfg.services.grafana.image).toMatch(/^grafana\/grafana:13\.2\.\d+$/);
    expect(cfg.services[SERVICE].environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(cfg.services[SERVICE].environment?.JOBSCOPE_API_TOKEN).toBe(cfg.services.grafana.environment?.JOBSCOPE_API_TOKEN);
  });

  it('passes one JOBSCOPE_API_TOKEN to both the service and Grafana', () => {
    const cfg = composeConfig({ JOBSCOPE_API_TOKEN: 'token-from-the-environment' });
    expect(cfg.services[SERVICE].environment?.JOBSCOPE_API_TOKEN).toBe('token-from-the-environment');
    expect(cfg.services.grafana.environment?.JOBSCOPE_API_TOKEN).toBe('token-from-the-environment');
  });

  it('passes JOBSCOPE_READ_TOKEN to the service and to Prometheus (which then sends it)', () => {
    const cfg = composeConfig({ JOBSCOPE_READ_TOKEN: 'read-token-123' });
    expect(cfg.services[SERVICE].environment?.JOBSCOPE_READ_TOKEN).toBe('read-token-123');
    expect(cfg.services.prometheus.environment?.JOBSCOPE_READ_TOKEN).toBe('read-token-123');
  });
});
