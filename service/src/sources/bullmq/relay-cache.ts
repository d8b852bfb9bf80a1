import { Relay } from 'bullmq';
import type Redis from 'ioredis';
import { REMOTE_CANCEL_NAMESPACE } from '@jobscope/worker';

/**
 * One BullMQ `Relay` node per key prefix, made on the first remote cancel (a relay node registers itself and
 * heartbeats, so a service that never cancels never writes for it). Its own connection, copied from the service's.
 */
export class RelayCache {
  private readonly relays = new Map<string, Promise<Relay>>();

  constructor(private readonly client: Redis) {}

  get(prefix: string): Promise<Relay> {
    let relay = this.relays.get(prefix);
    if (!relay) {
      const made = new Relay({
        // The inbox read blocks, and BullMQ wants maxRetriesPerRequest null there (commands still fail fast: no offline queue).
        connection: { ...this.client.options, lazyConnect: false, maxRetriesPerRequest: null },
        prefix,
        namespace: REMOTE_CANCEL_NAMESPACE,
        name: 'jobscope-service',
      });
      made.on('error', () => undefined);
      relay = made.waitUntilReady().then(() => made);
      // A failed start is not cached: the next cancel tries again.
      relay.catch(() => this.relays.delete(prefix));
      this.relays.set(prefix, relay);
    }
    return relay;
  }

  async closeAll(): Promise<void> {
    const all = [...this.relays.values()];
    this.relays.clear();
    await Promise.allSettled(all.map(async (r) => (await r).close()));
  }
}
