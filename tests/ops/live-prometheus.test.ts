/**
 * The dashboard and alert queries against the real thing: a private redis-server with real BullMQ queues and a
 * worker, the jobscope service (its real entry point), and Debian's Prometheus running the shipped scrape config.
 * Every expression must parse in Prometheus, return series with the labels the links use, and the alert
 * expressions must pick out exactly the queue that is in trouble.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { API_PATHS } from '@jobscope/contract';
import { bullmqKit, type BullmqKit } from '../e2e/support/bullmq';
import { waitUntil } from '../e2e/support/net';
import { startPrivateRedis, type PrivateRedis } from '../e2e/support/redis-server';
import { startService, type ServiceProcess } from '../e2e/support/service-process';
import { startPrometheus, type PrometheusServer } from './prometheus-server';
import { startServiceProcess } from './service';
import { alertExpressions, alertRules, dashboardExpressions } from './sources';
import { describeWithTools } from './tools';

jest.setTimeout(120_000);

const IDLE = 'ops-idle'; // jobs waiting, no worker: backlog grows, no-workers alert must fire
const BUSY = 'ops-busy'; // a worker completes some jobs and fails others
const QUEUES = [IDLE, BUSY];

/** Grafana would substitute the variable; the test picks the busy queue (regex and exact matchers both match it). */
const asGrafanaWould = (expr: string) => expr.replace(/\$\{queue\}|\$queue/g, BUSY).replace(/\$__rate_interval/g, '1m');

describeWithTools([['prometheus', 'prometheus'], ['redis-server', 'redis-server']], 'dashboard and alert PromQL against a live service and Prometheus', ([prometheusBin]) => {
  let logDir: string;
  let redis: PrivateRedis;
  let bull: BullmqKit;
  let service: ServiceProcess;
  let prom: PrometheusServer;
  const prefix = `jobscope-test-ops-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'jobscope-ops-live-'));
    redis = await startPrivateRedis(logDir);
    bull = bullmqKit(redis.url, prefix);
    await bull.queue(IDLE).addBulk([1, 2, 3].map((n) => ({ name: 'idle', data: { n } })));
    const worker = bull.worker(BUSY, async (job) => {
      if (job.data.fail) {
        throw new Error('planned failure');
      }
      return { ok: true };
    });
    await bull.queue(BUSY).addBulk([1, 2, 3, 4, 5].map((n) => ({ name: 'work', data: { n, fail: n <= 2 } })));
    await waitUntil('the busy worker to finish its jobs', async () => {
      const c = await bull.queue(BUSY).getJobCounts('completed', 'failed');
      return c.completed === 3 && c.failed === 2;
    }, 20_000);
    expect(worker.isRunning()).toBe(true);

    service = await startService({ redisUrl: redis.url, prefix, apiToken: 'ops-live-token-123', logDir, queues: QUEUES });
    const hostPort = new URL(service.url).host;
    prom = await startPrometheus(prometheusBin, hostPort);
    await waitUntil('Prometheus to scrape both queues', async () => {
      const r = await prom.query(`count by (queue) (bullmq_jobs{prefix="${prefix}"})`);
      return r.length === QUEUES.length;
    }, 30_000, 250);
    // rate() in the dashboard needs at least two samples in its window.
    await waitUntil('three scrapes', async () => {
      const r = await prom.query('count_over_time(jobscope_redis_up[1m])');
      return r.length === 1 && Number(r[0].value[1]) >= 3;
    }, 30_000, 250);
  });

  afterAll(async () => {
    await prom?.stop();
    await service?.stop();
    await bull?.close();
    await redis?.destroy();
    if (logDir) {
      rmSync(logDir, { recursive: true, force: true });
    }
  });

  it(`the shipped scrape config reaches the service's ${API_PATHS.metrics}`, async () => {
    const up = await prom.query('jobscope_redis_up');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  });

  it('the recording rule provides BullMQ exporter name bullmq_job_count with the same series', async () => {
    let recorded: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
    await waitUntil('the recording rule to evaluate', async () => {
      recorded = await prom.query('bullmq_job_count');
      return recorded.length === QUEUES.length * 8;
    }, 30_000, 250);
    const same = await prom.query('bullmq_job_count == on (prefix, queue, state) group_left bullmq_jobs');
    expect(same).toHaveLength(recorded.length);
  });

  it('the queue variable lists the queues', async () => {
    const values = await prom.labelValues('queue', 'bullmq_jobs');
    expect(values.sort()).toEqual([...QUEUES].sort());
  });

  it.each(dashboardExpressions().filter((e) => !e.isVariable).map((e) => [e.where, e.expr] as const))(
    'dashboard %s returns series (per queue: with the queue label)',
    async (_where, expr) => {
      const result = await prom.query(asGrafanaWould(expr));
      expect(result.length).toBeGreaterThan(0);
      if (/by\s*\([^)]*\bqueue\b/.test(expr)) {
        for (const s of result) {
          expect(s.metric.queue).toBe(BUSY);
          expect(s.metric.prefix).toBe(prefix);
        }
      }
    }
  );

  it('the per-state queries of "Jobs by state" add up to the BullMQ counts', async () => {
    const panel = dashboardExpressions().filter((e) => e.where.includes('"Jobs by state"'));
    const byState: Record<string, number> = {};
    for (const { expr, where } of panel) {
      const [series] = await prom.query(asGrafanaWould(expr));
      byState[where.slice(-1)] = Number(series.value[1]);
    }
    // refIds A..F = RUNNING, PENDING, DELAYED, WAITING_CHILDREN, FAILURE, SUCCESS (dashboard generator order)
    expect(byState).toEqual({ A: 0, B: 0, C: 0, D: 0, E: 2, F: 3 });
  });

  it('every alert expression parses and evaluates', async () => {
    for (const { expr, where } of alertExpressions()) {
      await expect(prom.query(expr).then(() => where)).resolves.toBe(where);
    }
  });

  const ruleExpr = (uid: string) => {
    const rule = alertRules().find((r) => r.rule.uid === uid)?.rule;
    return String(rule?.data.find((q) => q.refId === 'A')?.model.expr);
  };
  const queuesOf = (series: Array<{ metric: Record<string, string> }>) => series.map((s) => s.metric.queue).sort();

  it('no-workers alert: only the queue with waiting jobs and no worker', async () => {
    const result = await prom.query(ruleExpr('jobscope-no-workers'));
    expect(queuesOf(result)).toEqual([IDLE]);
    expect(Number(result[0].value[1])).toBe(3);
  });

  it('failures alert: per-queue failure counts in the health window', async () => {
    const result = await prom.query(ruleExpr('jobscope-queue-failures'));
    expect(Object.fromEntries(result.map((s) => [s.metric.queue, Number(s.value[1])]))).toEqual({ [IDLE]: 0, [BUSY]: 2 });
  });

  it('backlog alert: the idle queue has the older backlog', async () => {
    const result = await prom.query(ruleExpr('jobscope-backlog-age'));
    const age = Object.fromEntries(result.map((s) => [s.metric.queue, Number(s.value[1])]));
    expect(age[IDLE]).toBeGreaterThan(0);
    expect(age[BUSY]).toBe(0);
  });

  it('redis-down alert: 1 while Redis answers, 0 once the service has no Redis', async () => {
    const expr = ruleExpr('jobscope-redis-down');
    expect((await prom.query(expr)).map((s) => s.value[1])).toEqual(['1']);
    await redis.stop();
    try {
      await waitUntil('the Redis-down expression to read 0', async () => {
        const r = await prom.query(expr);
        return r.length === 1 && r[0].value[1] === '0';
      }, 30_000, 250);
    } finally {
      await redis.restart();
    }
  });
});

describeWithTools([['prometheus', 'prometheus'], ['redis-server', 'redis-server']], 'scraping a service that has JOBSCOPE_READ_TOKEN', ([prometheusBin]) => {
  const READ_TOKEN = 'ops-read-token-456';
  let logDir: string;
  let redis: PrivateRedis;
  let service: { url: string; stop(): Promise<void> };
  let bull: BullmqKit;
  const proms: PrometheusServer[] = [];

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'jobscope-ops-token-'));
    redis = await startPrivateRedis(logDir);
    const prefix = `jobscope-test-ops-${randomBytes(4).toString('hex')}`;
    bull = bullmqKit(redis.url, prefix);
    await bull.queue('ops-token').add('one', {});
    service = await startServiceProcess(
      {
        REDIS_URL: redis.url,
        JOBSCOPE_PREFIXES: prefix,
        JOBSCOPE_QUEUES: 'ops-token',
        JOBSCOPE_API_TOKEN: 'ops-api-token-123',
        JOBSCOPE_READ_TOKEN: READ_TOKEN,
      },
      logDir
    );
  });

  afterAll(async () => {
    await Promise.all(proms.map((p) => p.stop()));
    await service?.stop();
    await bull?.close();
    await redis?.destroy();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  /** `up` of the first scrape: 1 = scraped, 0 = refused. */
  const upAfterScrapes = async (prom: PrometheusServer) => {
    await waitUntil('the first scrape', async () => (await prom.query('up{job="jobscope"}')).length === 1, 20_000, 250);
    return (await prom.query('up{job="jobscope"}'))[0].value[1];
  };

  it('the plain config is refused (401), so the bearer-token variant is needed', async () => {
    const res = await fetch(`${service.url}${API_PATHS.metrics}`);
    expect(res.status).toBe(401);
    const prom = await startPrometheus(prometheusBin, new URL(service.url).host);
    proms.push(prom);
    expect(await upAfterScrapes(prom)).toBe('0');
  });

  it('prometheus-read-token.yml scrapes it with the token from its credentials file', async () => {
    const prom = await startPrometheus(prometheusBin, new URL(service.url).host, {
      configFile: 'provisioning/prometheus/prometheus-read-token.yml',
      readToken: READ_TOKEN,
    });
    proms.push(prom);
    expect(await upAfterScrapes(prom)).toBe('1');
    await waitUntil('the queue series', async () => (await prom.query('bullmq_jobs{queue="ops-token"}')).length > 0, 20_000, 250);
  });
});
