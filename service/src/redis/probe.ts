import type Redis from 'ioredis';
import type { RedisStatus } from '@jobscope/contract';

/** PING round trip and server version; what the UI shows as Redis health. */
export class RedisProbe {
  private version: string | null = null;

  constructor(private readonly client: Redis) {}

  async ping(): Promise<RedisStatus> {
    const started = process.hrtime.bigint();
    try {
      await this.client.ping();
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (this.version === null) {
        this.version = await this.readVersion();
      }
      return { ok: true, latencyMs: Math.round(latencyMs * 1000) / 1000, error: null, version: this.version };
    } catch (err) {
      return { ok: false, latencyMs: null, error: errorMessage(err), version: this.version };
    }
  }

  /** Major version, for features that depend on it (script flags need 7). Falls back to 6 when unknown. */
  async majorVersion(): Promise<number> {
    try {
      this.version = this.version ?? (await this.readVersion());
    } catch {
      return 6;
    }
    return Number.parseInt(this.version ?? '6', 10) || 6;
  }

  private async readVersion(): Promise<string | null> {
    const info = await this.client.info('server');
    return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? null;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
