/**
 * A throw-away Redis Cluster on loopback for tests and the benchmark: `masters` masters with one replica each
 * (redis-server --cluster-enabled yes, each on a free port with its own temp dir, nothing persisted), joined by
 * `redis-cli --cluster create`, with a short cluster-node-timeout so a killed master's replica takes over in ~2 s.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Cluster, type ClusterOptions, type Redis } from 'ioredis';
import { freePort, isRunning } from './private-redis';
import { ask, launchRedis, until, type RedisProcess } from './redis-processes';

const run = promisify(execFile);

export interface ClusterNodeInfo {
  port: number;
  role: 'master' | 'slave';
  /** Slot ranges served (masters), e.g. [[0, 5460]]. */
  slots: Array<[number, number]>;
  id: string;
}

export class LocalRedisCluster {
  private destroyed = false;

  private constructor(
    private readonly dir: string,
    readonly nodes: RedisProcess[],
    private readonly password: string | null
  ) {}

  /** `password`: every node requires it (`requirepass`, and `masterauth` for the replicas). */
  static async start(opts: { masters?: number; nodeTimeoutMs?: number; password?: string } = {}): Promise<LocalRedisCluster> {
    const masters = opts.masters ?? 3;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-cluster-'));
    const nodes: RedisProcess[] = [];
    try {
      for (let i = 0; i < masters * 2; i++) {
        const port = await freePort();
        const args = [
          '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
          '--dbfilename', `dump-${port}.rdb`, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', String(opts.nodeTimeoutMs ?? 1000),
          // Replicas sync at once (default: a 5 s wait); one that never synced cannot take over.
          '--repl-diskless-sync-delay', '0',
          ...(opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : []),
        ];
        nodes.push({ port, proc: await launchRedis(args, /Ready to accept connections/) });
      }
      await run(process.env.REDIS_CLI_BIN ?? 'redis-cli', [
        ...(opts.password ? ['-a', opts.password, '--no-auth-warning'] : []),
        '--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes',
      ]);
      const cluster = new LocalRedisCluster(dir, nodes, opts.password ?? null);
      await cluster.waitHealthy();
      await until('every replica to sync', async () => {
        for (const n of nodes) {
          const info = await cluster.askNode(n.port, (r) => r.info('replication'));
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) {
            return undefined;
          }
        }
        return true;
      });
      return cluster;
    } catch (err) {
      nodes.forEach((n) => n.proc.kill('SIGKILL'));
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** One short connection to a node, authenticated when the cluster has a password. */
  private askNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
    return ask(port, fn, this.password ?? undefined);
  }

  /** `host:port,…` of every node, for JOBSCOPE_REDIS_CLUSTER_NODES. */
  get seedList(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** Every live node's view: all agree on cluster_state ok and every slot is served. */
  waitHealthy(timeoutMs = 20_000): Promise<true> {
    return until('the cluster to be healthy', async () => {
      for (const n of this.nodes.filter((x) => isRunning(x.proc))) {
        const info = await this.askNode(n.port, (r) => r.call('CLUSTER', 'INFO') as Promise<string>);
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) {
          return undefined;
        }
      }
      return true;
    }, timeoutMs);
  }

  /** The topology as one live node sees it (CLUSTER NODES). */
  async topology(): Promise<ClusterNodeInfo[]> {
    const live = this.nodes.find((n) => isRunning(n.proc));
    if (!live) {
      throw new Error('no cluster node is running');
    }
    const text = await this.askNode(live.port, (r) => r.call('CLUSTER', 'NODES') as Promise<string>);
    return text
      .trim()
      .split('\n')
      .filter((line) => !/\b(fail|fail\?|noaddr)\b/.test(line.split(' ')[2]))
      .map((line) => {
        const [id, addr, flags, , , , , , ...slots] = line.split(' ');
        return {
          id,
          port: Number(addr.split('@')[0].split(':')[1]),
          role: flags.includes('master') ? 'master' : 'slave',
          slots: slots.filter((s) => !s.startsWith('[')).map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a, b ?? a] as [number, number];
          }),
        };
      });
  }

  /** The master serving `slot` now. */
  async masterOf(slot: number): Promise<ClusterNodeInfo> {
    const master = (await this.topology()).find((n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!master) {
      throw new Error(`no master serves slot ${slot}`);
    }
    return master;
  }

  /** kill -9 the node on `port` (a crash, not a shutdown). */
  kill(port: number): void {
    this.nodes.find((n) => n.port === port)?.proc.kill('SIGKILL');
  }

  /** Waits until a master other than `oldPort` serves `slot` (a replica was promoted). */
  waitForPromotion(slot: number, oldPort: number, timeoutMs = 20_000): Promise<ClusterNodeInfo> {
    return until(`a replica to take over slot ${slot}`, async () => {
      const master = await this.masterOf(slot);
      return master.port !== oldPort ? master : undefined;
    }, timeoutMs);
  }

  /**
   * Moves `slot` (and its keys) from the master serving it to the master on `toPort`, as redis-cli --cluster reshard
   * does: `keysPerStep` keys per MIGRATE with `pauseMs` between steps, so clients meet the slot half-migrated (ASK).
   */
  async moveSlot(slot: number, toPort: number, opts: { keysPerStep?: number; pauseMs?: number } = {}): Promise<void> {
    const from = await this.masterOf(slot);
    const to = (await this.topology()).find((n) => n.port === toPort);
    if (!to || to.role !== 'master' || to.id === from.id) {
      throw new Error(`cannot move slot ${slot} to ${toPort}`);
    }
    await this.askNode(to.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id));
    await this.askNode(from.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id));
    for (;;) {
      const keys = await this.askNode(from.port, (r) => r.call('CLUSTER', 'GETKEYSINSLOT', slot, opts.keysPerStep ?? 100) as Promise<string[]>);
      if (keys.length === 0) {
        break;
      }
      await this.askNode(from.port, (r) => r.call('MIGRATE', '127.0.0.1', to.port, '', 0, 5000, ...(this.password ? ['AUTH', this.password] : []), 'KEYS', ...keys));
      if (opts.pauseMs) {
        await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
    }
    for (const n of (await this.topology()).filter((x) => x.role === 'master')) {
      await this.askNode(n.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id));
    }
  }

  /**
   * A Cluster client of this cluster (the password too, when set). Its reconnect attempts, and those of BullMQ's
   * duplicates of it (they copy its options), stop once the cluster is destroyed: a client a test did not close (BullMQ
   * does not close a client it is given) would otherwise retry the dead nodes for ever and keep Jest from exiting.
   */
  client(opts: ClusterOptions = {}): Cluster {
    return new Cluster(this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), {
      ...opts,
      redisOptions: { ...(this.password ? { password: this.password } : {}), ...opts.redisOptions },
      // ioredis's default delay until then.
      clusterRetryStrategy: (attempt) => (this.destroyed ? null : Math.min(100 + attempt * 2, 2000)),
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    const running = this.nodes.map((n) => n.proc).filter(isRunning);
    await Promise.all(running.map((p) => new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    })));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
