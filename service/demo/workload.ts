import { FlowProducer, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { enableRemoteCancel, type RemoteCancel } from '@jobscope/worker';
import { DEMO_QUEUES, PROCESSORS, type DemoQueueName } from './processors';

export interface DemoOptions {
  redisUrl: string;
  prefix: string;
  /** Milliseconds between produced jobs. */
  intervalMs?: number;
  log?: (line: string) => void;
}

export interface Demo {
  queues: Record<DemoQueueName, Queue>;
  stop(): Promise<void>;
}

/** Keeps Redis bounded however long the demo runs. */
const RETENTION = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };
const RETRY = { attempts: 3, backoff: { type: 'exponential', delay: 1000 } };

/**
 * A producer plus real BullMQ Workers on three queues, so a newcomer sees every state: slow jobs with progress,
 * failures that retry with backoff, delayed and prioritized jobs, and a parent/child flow.
 */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const log = opts.log ?? (() => undefined);
  // Workers need maxRetriesPerRequest: null (BullMQ's rule for blocking connections).
  const connection = new IORedis(opts.redisUrl, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined);
  const { prefix } = opts;
  const queues = Object.fromEntries(
    DEMO_QUEUES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: RETENTION })])
  ) as Record<DemoQueueName, Queue>;
  const workers = DEMO_QUEUES.map(
    (name) =>
      new Worker(name, PROCESSORS[name], {
        connection,
        prefix,
        name: `demo-${name}`,
        concurrency: name === 'email' ? 4 : 2,
      })
  );
  for (const w of workers) {
    w.on('error', (err) => log(`worker error: ${err.message}`));
  }
  // Lets jobscope cancel the demo's running jobs from Grafana.
  const cancels: RemoteCancel[] = await Promise.all(workers.map((w) => enableRemoteCancel(w, { connection, prefix })));
  const flows = new FlowProducer({ connection, prefix });

  let tick = 0;
  const produce = async () => {
    tick++;
    const q = queues;
    await q.email.add('send-welcome', { to: `user${tick}@example.com` }, RETRY);
    if (tick % 2 === 0) {
      await q['topology-discovery'].add('scan-network', { site: `dc-${tick % 3}` }, RETRY);
    }
    if (tick % 3 === 0) {
      await q.email.add('send-digest', { to: 'team@example.com' }, { ...RETRY, priority: 1 + (tick % 5) });
    }
    if (tick % 4 === 0) {
      await q['topology-discovery'].add('refresh-inventory', { site: 'edge' }, { delay: 15_000 + (tick % 12) * 2500 });
    }
    if (tick % 8 === 0) {
      await flows.add({
        name: 'assemble-report',
        queueName: 'reports',
        data: { month: new Date().toISOString().slice(0, 7) },
        opts: RETENTION,
        children: ['summary', 'traffic', 'incidents'].map((section) => ({
          name: 'render-section',
          queueName: 'reports',
          data: { section },
          opts: RETENTION,
        })),
      });
    }
  };
  await produce();
  const timer = setInterval(() => {
    produce().catch((err: Error) => log(`producer error: ${err.message}`));
  }, opts.intervalMs ?? 1500);

  return {
    queues,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled(cancels.map((c) => c.close()));
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([flows.close(), ...Object.values(queues).map((q) => q.close())]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

if (require.main === module) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = (process.env.JOBSCOPE_PREFIXES ?? 'bull').split(',')[0].trim() || 'bull';
  startDemo({ redisUrl, prefix, log: (l) => console.log(l) })
    .then((demo) => {
      console.log(`demo workload running on ${DEMO_QUEUES.join(', ')} (prefix ${prefix})`);
      // Bounded: closing workers waits for Redis, which may already be gone.
      const stop = () => {
        setTimeout(() => process.exit(0), 3000).unref();
        demo.stop().finally(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    })
    .catch((err) => {
      console.error(`demo failed to start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
