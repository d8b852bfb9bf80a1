import { Relay } from 'bullmq';
import type { Cluster } from 'ioredis';
import { isCluster, type RedisClient } from '../../redis/topology';
import { REMOTE_CANCEL_NAMESPACE } from '@jobscope/worker';

/**
 * One BullMQ `Relay` node per key prefix, made on the first remote cancel (a relay node registers itself and
 * heartbeats, so a service that never cancels never writes for it). Its own connection, copied from the service's.
 */
export class RelayCache {
  private readonly relays = new Map<string, Promise<Relay>>();
  /** The Cluster clients made for relays (BullMQ does not close a client it is given). */
  private clusterClients: Cluster[] = [];

  constructor(private readonly client: RedisClient) {}

  get(prefix: string): Promise<Relay> {
    let relay = this.relays.get(prefix);
    if (!relay) {
      const made = new Relay({
        // The inbox read blocks, and BullMQ wants maxRetriesPerRequest null there (commands still fail fast: no offline
        // queue). BullMQ makes a standalone connection from options, so a Cluster is passed as a client of its own.
        connection: isCluster(this.client) ? this.ownCluster() : { ...this.client.options, lazyConnect: false, maxRetriesPerRequest: null },
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
    // A client handed to BullMQ is not closed by it.
    this.clusterClients.forEach((c) => c.disconnect());
    this.clusterClients = [];
  }

  private ownCluster(): Cluster {
    const cluster = this.client as Cluster;
    const copy = cluster.duplicate(undefined, { redisOptions: { ...cluster.options.redisOptions, maxRetriesPerRequest: null } });
    copy.on('error', () => undefined);
    this.clusterClients.push(copy);
    return copy;
  }
}
