/**
 * `npm run bench:queues`: how discovery, the status snapshot, /api/queues and /metrics scale with the number of queues
 * (10, 100, 1,000 by default; BENCH_QUEUE_COUNTS=10,100,1000) on a private redis-server (standalone) and on a private
 * Redis Cluster of 3 masters + 3 replicas (BENCH_TOPOLOGIES=standalone,cluster). Every queue is a real BullMQ queue
 * (Queue.addBulk: 3 waiting, 1 prioritized, 1 delayed job) under its own prefix per size; on the Cluster each queue is
 * named `{q-NNNN}`, its own hash slot: the worst case, one script call per queue spread over the masters. Per size:
 * discovery time (SCAN of the prefix + the meta checks), and for each route p50/p99 over BENCH_QUEUE_REQUESTS
 * in-process requests (caches off), Redis time per request and the longest single call (INFO commandstats and
 * SLOWLOG with every command logged, summed over the masters): what one call blocks Redis for, bounded by
 * JOBSCOPE_QUEUES_PER_CALL (50) queues per script call. Ratios to the smallest size are measured in the same run.
 * Figures, not a pass/fail test.
 */
import { Queue } from 'bullmq';
import Redis, { type Cluster } from 'ioredis';
import pino from 'pino';
import { PrivateRedis } from '../../scripts/lib/private-redis';
import { LocalRedisCluster } from '../../scripts/lib/redis-cluster';
import { loadConfig } from '../src/config';
import { createService } from '../src/service';
import { commandStats } from './commandstats';

const COUNTS = (process.env.BENCH_QUEUE_COUNTS ?? '10,100,1000').split(',').map(Number);
const REQUESTS = Number(process.env.BENCH_QUEUE_REQUESTS ?? 100);
const ROUTES = ['/api/settings/jobs/status', '/api/queues', '/metrics'] as const;
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? 'standalone,cluster').split(',') as Array<'standalone' | 'cluster'>;

/** A private Redis to measure on: how BullMQ and the service reach it, and one admin connection per master. */
interface Backend {
  connection: () => Redis | Cluster;
  env: Record<string, string>;
  admins: Redis[];
  queueName: (i: number) => string;
  close: () => Promise<void>;
}

async function standalone(): Promise<Backend> {
  const redis = await PrivateRedis.start();
  const admin = new Redis(redis.url);
  return {
    connection: () => new Redis(redis.url, { maxRetriesPerRequest: null }),
    env: { REDIS_URL: redis.url },
    admins: [admin],
    queueName: (i) => `q-${String(i).padStart(4, '0')}`,
    close: async () => {
      admin.disconnect();
      await redis.destroy();
    },
  };
}

async function cluster(): Promise<Backend> {
  const local = await LocalRedisCluster.start();
  const masters = (await local.topology()).filter((n) => n.role === 'master');
  const admins = masters.map((m) => new Redis({ host: '127.0.0.1', port: m.port }));
  return {
    connection: () => local.client(),
    env: { JOBSCOPE_REDIS_CLUSTER_NODES: local.seedList },
    admins,
    queueName: (i) => `{q-${String(i).padStart(4, '0')}}`,
    close: async () => {
      admins.forEach((a) => a.disconnect());
      await local.destroy();
    },
  };
}

interface RouteFigure {
  p50: number;
  p99: number;
  redisUsPerRequest: number;
  callsPerRequest: number;
  longestCallUs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n: number) => n.toFixed(2);

/**
 * Top-level commands only (INFO commandstats also counts each command a script runs, and a script's own time already
 * includes theirs): the script calls and the plain commands the read routes send.
 */
const TOP_LEVEL = new Set(['eval', 'evalsha', 'client|list', 'ping', 'xrevrange']);

async function commandTotals(admins: Redis[]): Promise<{ calls: number; usec: number }> {
  let calls = 0;
  let usec = 0;
  for (const admin of admins) {
    for (const [name, c] of await commandStats(admin)) {
      if (TOP_LEVEL.has(name)) {
        calls += c.calls;
        usec += c.usec;
      }
    }
  }
  return { calls, usec };
}

async function longestCallUs(admins: Redis[]): Promise<number> {
  let longest = 0;
  for (const admin of admins) {
    const log = (await admin.call('SLOWLOG', 'GET', '1000')) as Array<[number, number, number, string[]]>;
    longest = log.filter((e) => TOP_LEVEL.has(String(e[3][0]).toLowerCase())).reduce((m, e) => Math.max(m, Number(e[2])), longest);
  }
  return longest;
}

async function seed(backend: Backend, prefix: string, count: number): Promise<void> {
  const connection = backend.connection();
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, j) => {
        const q = new Queue(backend.queueName(i + j), { connection, prefix });
        await q.addBulk([
          { name: 'a', data: { n: 1 } },
          { name: 'b', data: { n: 2 } },
          { name: 'c', data: { n: 3 } },
          { name: 'p', data: {}, opts: { priority: 3 } },
          { name: 'd', data: {}, opts: { delay: 3_600_000 } },
        ]);
        await q.close();
      })
    );
  }
  connection.disconnect();
}

async function measure(topology: 'standalone' | 'cluster'): Promise<Row[]> {
  const backend = topology === 'cluster' ? await cluster() : await standalone();
  const { admins } = backend;
  const rows: Row[] = [];
  try {
    for (const count of COUNTS) {
      const prefix = `qs${count}`;
      await seed(backend, prefix, count);
      const config = loadConfig({
        ...backend.env,
        JOBSCOPE_PREFIXES: prefix,
        JOBSCOPE_SNAPSHOT_TTL_MS: '0',
        JOBSCOPE_STATS_TTL_MS: '0',
        JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
        JOBSCOPE_AUDIT_KEY: 'off',
      });
      const service = await createService(config, pino({ level: 'silent' }));
      try {
        const t0 = performance.now();
        await service.source.queueRegistry.refresh();
        const discoveryMs = performance.now() - t0;
        const found = service.source.queueRegistry.list().length;
        if (found !== count) throw new Error(`discovery found ${found} of ${count} queues (${topology})`);
        const routes: Record<string, RouteFigure> = {};
        for (const route of ROUTES) {
          for (let i = 0; i < 10; i++) await (await service.app.request(route)).arrayBuffer(); // warm-up
          for (const admin of admins) {
            await admin.config('SET', 'slowlog-log-slower-than', '0');
            await admin.call('SLOWLOG', 'RESET');
          }
          const before = await commandTotals(admins);
          const times: number[] = [];
          for (let i = 0; i < REQUESTS; i++) {
            const s = performance.now();
            const res = await service.app.request(route);
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`${route} answered ${res.status} with ${count} queues (${topology})`);
            times.push(performance.now() - s);
          }
          const after = await commandTotals(admins);
          const longest = await longestCallUs(admins);
          for (const admin of admins) await admin.config('SET', 'slowlog-log-slower-than', '10000');
          times.sort((a, b) => a - b);
          routes[route] = {
            p50: percentile(times, 50),
            p99: percentile(times, 99),
            redisUsPerRequest: (after.usec - before.usec) / REQUESTS,
            callsPerRequest: (after.calls - before.calls) / REQUESTS,
            longestCallUs: longest,
          };
        }
        rows.push({ topology, queues: count, discoveryMs, routes });
        console.log(`[bench:queues] ${topology}: ${count} queues done (discovery ${ms(discoveryMs)} ms)`);
      } finally {
        await service.close();
      }
    }
  } finally {
    await backend.close();
  }
  return rows;
}

interface Row {
  topology: string;
  queues: number;
  discoveryMs: number;
  routes: Record<string, RouteFigure>;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const topology of TOPOLOGIES) {
    rows.push(...(await measure(topology)));
  }
  const base = rows[0];
  console.log(`\nQueues scale (private redis-server / private 3+3 Redis Cluster; ${REQUESTS} in-process requests per route, caches off)\n`);
  console.log(`| Redis | Queues | Discovery | Route | p50 ms | p99 ms | Redis µs/request | Redis calls/request (top-level) | Longest call µs | p50 / ${base.topology} ${base.queues} queues |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    for (const route of ROUTES) {
      const f = row.routes[route];
      console.log(
        `| ${row.topology} | ${row.queues} | ${ms(row.discoveryMs)} ms | \`${route}\` | ${ms(f.p50)} | ${ms(f.p99)} | ${Math.round(f.redisUsPerRequest)} | ${f.callsPerRequest.toFixed(1)} | ${f.longestCallUs} | ${(f.p50 / base.routes[route].p50).toFixed(2)}× |`
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
