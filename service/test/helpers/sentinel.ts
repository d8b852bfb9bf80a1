// A Sentinel-managed Redis on loopback for tests: a primary, a replica of it and three sentinels (redis-server in
// sentinel mode: the same program Debian's redis-sentinel package links), each on a free port with its own temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ask, launchRedis as launch, until, type RedisProcess as Node } from '../../../scripts/lib/redis-processes';
import { freePort, isRunning } from '../../../scripts/lib/private-redis';

export const SENTINEL_MASTER_NAME = 'jobscope-test';

export class SentinelSetup {
  private constructor(
    private readonly dir: string,
    readonly primary: Node,
    readonly replica: Node,
    readonly sentinels: Node[]
  ) {}

  static async start(): Promise<SentinelSetup> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobscope-sentinel-'));
    const nodes: ChildProcess[] = [];
    try {
      const dataArgs = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--dbfilename', `dump-${port}.rdb`];
      const primaryPort = await freePort();
      const primary = { port: primaryPort, proc: await launch(dataArgs(primaryPort), /Ready to accept connections/) };
      nodes.push(primary.proc);
      const replicaPort = await freePort();
      const replica = {
        port: replicaPort,
        proc: await launch([...dataArgs(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)], /Ready to accept connections/),
      };
      nodes.push(replica.proc);
      await until('the replica to sync', () => ask(replicaPort, async (r) => ((await r.info('replication')).includes('master_link_status:up') ? true : undefined)));
      const sentinels: Node[] = [];
      for (let i = 0; i < 3; i++) {
        const port = await freePort();
        const conf = path.join(dir, `sentinel-${port}.conf`);
        fs.writeFileSync(
          conf,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
            `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
            `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
            '',
          ].join('\n')
        );
        const proc = await launch([conf, '--sentinel'], /\+monitor master/);
        nodes.push(proc);
        sentinels.push({ port, proc });
      }
      // Quorum and the leader election need the sentinels to know each other (hello messages, ~2 s).
      for (const s of sentinels) {
        await until('the sentinels to discover each other', () =>
          ask(s.port, async (r) => (((await r.call('SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME)) as unknown[]).length >= 2 ? true : undefined))
        );
      }
      return new SentinelSetup(dir, primary, replica, sentinels);
    } catch (err) {
      nodes.forEach((p) => p.kill('SIGKILL'));
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** `host:port,…` for JOBSCOPE_REDIS_SENTINELS. */
  get sentinelList(): string {
    return this.sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  }

  /** The port the sentinels name as the primary now. */
  async primaryPort(): Promise<number> {
    for (const s of this.sentinels) {
      const addr = await ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME) as Promise<string[]>).catch(() => null);
      if (addr) {
        return Number(addr[1]);
      }
    }
    throw new Error('no sentinel answers');
  }

  /** Waits until the sentinels name another primary than `oldPort`; resolves to the new one. */
  waitForPromotion(oldPort: number, timeoutMs = 20_000): Promise<number> {
    return until('the sentinels to promote the replica', async () => {
      const port = await this.primaryPort();
      return port !== oldPort ? port : undefined;
    }, timeoutMs);
  }

  /** Waits until `port` answers as a primary (ROLE master), after a promotion. */
  waitForPrimaryRole(port: number): Promise<true> {
    return until(`127.0.0.1:${port} to act as primary`, () => ask(port, async (r) => (((await r.call('ROLE')) as string[])[0] === 'master' ? true : undefined)));
  }

  kill(node: Node): void {
    node.proc.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    const all = [this.primary, this.replica, ...this.sentinels].map((n) => n.proc).filter(isRunning);
    await Promise.all(all.map((p) => new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    })));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
