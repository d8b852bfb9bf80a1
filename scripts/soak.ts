/**
 * `npm run soak`: the service in-process against a private redis-server. Measures status throughput cached vs
 * uncached (keep-alive load, no extra dependency), then runs 1,000 keep-alive pollers (one request each every 2 s)
 * through kill -9 / restart cycles of Redis and reports errors, slowest answer and RSS growth.
 * SOAK_SECONDS (default 10) sets each load phase; SOAK_POLL_SECONDS (default 60) the poller phase.
 */
import http from 'node:http';
import { Queue } from 'bullmq';
import pino from 'pino';
import { loadConfig } from '../service/src/config';
import { startServer, type RunningServer } from '../service/src/main';
import { PrivateRedis } from './lib/private-redis';

const LOAD_S = Number(process.env.SOAK_SECONDS ?? 10);
const POLL_S = Number(process.env.SOAK_POLL_SECONDS ?? 60);
const PREFIX = 'soak';
const STATUS = '/api/settings/jobs/status';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function get(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
}

async function load(server: RunningServer, connections: number, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const t = performance.now();
        const status = await get(agent, server.http.port, `${STATUS}?limit=50`).catch(() => 0);
        latencies.push(performance.now() - t);
        if (status !== 200) errors++;
      }
    })
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { rps: Math.round(latencies.length / seconds), p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] * 10) / 10, errors };
}

async function start(redis: PrivateRedis, ttlMs: number): Promise<RunningServer> {
  const config = loadConfig({
    REDIS_URL: redis.url,
    HOST: '127.0.0.1',
    PORT: '0',
    JOBSCOPE_PREFIXES: PREFIX,
    JOBSCOPE_SNAPSHOT_TTL_MS: String(ttlMs),
    JOBSCOPE_DISCOVERY_INTERVAL_MS: '0',
    JOBSCOPE_QUEUES: 'orders,emails,reports',
  });
  return startServer(config, pino({ level: 'silent' }));
}

async function seed(redis: PrivateRedis): Promise<void> {
  for (const name of ['orders', 'emails', 'reports']) {
    const queue = new Queue(name, { connection: redis.connection, prefix: PREFIX });
    await queue.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: `job-${i}`, data: { i, payload: 'x'.repeat(200) } })));
    await queue.close();
  }
}

async function main(): Promise<void> {
  const redis = await PrivateRedis.start();
  try {
    await seed(redis);
    for (const [label, ttl] of [['uncached (TTL 0)', 0], ['cached (TTL 1000 ms)', 1000]] as const) {
      const server = await start(redis, ttl);
      await load(server, 16, 1); // warm-up
      const r = await load(server, 32, LOAD_S);
      console.log(`status ${label}: ${r.rps} req/s, p99 ${r.p99} ms, errors ${r.errors} (32 keep-alive connections, ${LOAD_S} s)`);
      await server.shutdown();
    }

    const server = await start(redis, 1000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
    global.gc?.();
    const rssStart = process.memoryUsage().rss;
    let requests = 0;
    let errors = 0;
    let slowest = 0;
    let polling = true;
    const pollers = Array.from({ length: 1000 }, async (_, i) => {
      await sleep((i * 2000) / 1000);
      while (polling) {
        const t = Date.now();
        const status = await get(agent, server.http.port, STATUS).catch(() => 0);
        slowest = Math.max(slowest, Date.now() - t);
        requests++;
        if (status !== 200) errors++;
        await sleep(Math.max(0, 2000 - (Date.now() - t)));
      }
    });
    const cycles = Math.max(1, Math.floor(POLL_S / 15));
    for (let c = 0; c < cycles; c++) {
      await sleep(10_000);
      await redis.stop();
      await sleep(1000);
      await redis.restart();
      await seed(redis);
      await sleep(4000);
    }
    polling = false;
    await Promise.all(pollers);
    const rssEnd = process.memoryUsage().rss;
    console.log(
      `1000 keep-alive pollers, ${cycles} Redis kill/restart cycles: ${requests} requests, ${errors} non-200, slowest ${slowest} ms, ` +
        `RSS ${Math.round(rssStart / 1e6)} → ${Math.round(rssEnd / 1e6)} MB`
    );
    agent.destroy();
    await server.shutdown();
  } finally {
    await redis.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
