import { isCluster, masterNodes, nodeDeadline, notConnectedError, type RedisClient } from './topology';
import type { RedisStatus } from '@jobscope/contract';

/** PING round trip and server version; what the UI shows as Redis health. */
export class RedisProbe {
  private version: string | null = null;
  /** INFO answered (or was refused): either way it is not asked again. */
  private versionSettled = false;

  constructor(private readonly client: RedisClient) {}

  async ping(): Promise<RedisStatus> {
    const started = process.hrtime.bigint();
    try {
      await this.pingServers();
    } catch (err) {
      return { ok: false, latencyMs: null, error: errorMessage(err), version: this.version };
    }
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    await this.readVersion();
    return { ok: true, latencyMs: Math.round(latencyMs * 1000) / 1000, error: null, version: this.version };
  }

  /**
   * One Redis: PING. A Cluster: PING every master at once; it answers while at least one master does (a master that
   * is down fails only the queues it holds, which the reads then mark stale, and health names it).
   */
  private async pingServers(): Promise<void> {
    if (!isCluster(this.client)) {
      await this.client.ping();
      return;
    }
    const settled = await Promise.allSettled(masterNodes(this.client).map((node) => nodeDeadline(this.client, node.ping(), 'PING')));
    if (!settled.some((s) => s.status === 'fulfilled')) {
      throw settled.find((s) => s.status === 'rejected')?.reason ?? notConnectedError(this.client);
    }
  }

  /** Major version, for features that depend on it (script flags need 7). Falls back to 6 when unknown. */
  async majorVersion(): Promise<number> {
    await this.readVersion();
    return Number.parseInt(this.version ?? '6', 10) || 6;
  }

  /** Once per process; a server whose ACL refuses INFO is still a healthy Redis, just of unknown version. */
  private async readVersion(): Promise<void> {
    if (this.versionSettled) {
      return;
    }
    try {
      const info = await this.client.info('server');
      this.version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? null;
      this.versionSettled = true;
    } catch (err) {
      // Refused by an ACL: settled as unknown. Connection errors: try again next time.
      this.versionSettled = /NOPERM|unknown command|not allowed/i.test(errorMessage(err));
    }
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
