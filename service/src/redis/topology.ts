import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import calculateSlot from 'cluster-key-slot';
import { withTimeout } from '../health/with-timeout';

/** The service's Redis client: one connection (standalone or Sentinel-managed) or a Cluster client. */
export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** The last connection error of each Cluster client, while it has no connected node (see notConnectedError). */
const lastClusterError = new WeakMap<Cluster, string>();

export function recordClusterError(client: Cluster, message: string | null): void {
  if (message === null) {
    lastClusterError.delete(client);
  } else {
    lastClusterError.set(client, message);
  }
}

/** Why no Cluster node could be asked: with the nodes' last error (a wrong password, refused connections). */
export function notConnectedError(client: Cluster): Error {
  const reason = lastClusterError.get(client);
  return new Error(`no Redis Cluster node is connected${reason ? ` (${reason})` : ''}`);
}

/** Connections to run a per-server command on (SCAN, CLIENT LIST): every master of a Cluster, else the one connection. */
export function masterNodes(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/**
 * Longest wait for one Cluster node's part of a read (a script batch, a PING, a CLIENT LIST). A batch takes 1-25 ms
 * even at 1,000 queues; a master that was just killed would hold the read for ~1.6 s of ioredis retries, longer than
 * the whole read may take (JOBSCOPE_HEALTH_TIMEOUT_MS, 800 ms): its part fails instead and its queues go stale.
 */
export const CLUSTER_NODE_DEADLINE_MS = 400;

/** `work` bounded by CLUSTER_NODE_DEADLINE_MS on a Cluster; unchanged on one Redis (which fails as a whole). */
export function nodeDeadline<T>(client: RedisClient, work: Promise<T>, what: string): Promise<T> {
  return isCluster(client) ? withTimeout(work, CLUSTER_NODE_DEADLINE_MS, what) : work;
}

/** The master that serves `key`'s hash slot, as the client's slot map has it (null standalone or when unknown). */
export function nodeOfKey(client: RedisClient, key: string): string | null {
  return isCluster(client) ? (client.slots[calculateSlot(key)]?.[0] ?? null) : null;
}

/**
 * `items` split by the hash slot of `keyOf(item)`, keeping their order within each group and the groups in order of
 * first appearance; one group standalone. A script or pipeline on a Cluster may only touch keys of one slot.
 */
export function bySlot<T>(client: RedisClient, items: T[], keyOf: (item: T) => string): T[][] {
  if (!isCluster(client)) {
    return items.length ? [items] : [];
  }
  return [...groupBy(items, (item) => calculateSlot(keyOf(item))).values()];
}

/**
 * Runs `add(pipeline, item)` for every item in one pipeline per server (a Cluster pipeline may only hold keys served
 * by the same nodes), all concurrently; the replies come back flat in `items` order, `perItem` commands per item.
 */
export async function pipelineByNode<T>(
  client: RedisClient,
  items: T[],
  keyOf: (item: T) => string,
  perItem: number,
  add: (pipeline: ReturnType<RedisClient['pipeline']>, item: T) => void
): Promise<Array<[Error | null, unknown]>> {
  const indexed = items.map((item, index) => ({ item, index }));
  const groups = isCluster(client)
    ? [...groupBy(indexed, ({ item }) => client.slots[calculateSlot(keyOf(item))]?.join(';') ?? '').values()]
    : [indexed];
  const replies: Array<[Error | null, unknown]> = new Array(items.length * perItem);
  await Promise.all(
    groups.map(async (group) => {
      if (group.length === 0) {
        return;
      }
      const pipeline = client.pipeline();
      group.forEach(({ item }) => add(pipeline, item));
      const results = (await nodeDeadline(client, pipeline.exec(), 'a pipeline')) ?? [];
      group.forEach(({ index }, g) => {
        for (let k = 0; k < perItem; k++) {
          replies[index * perItem + k] = results[g * perItem + k] ?? [new Error('no reply'), null];
        }
      });
    })
  );
  return replies;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string | number): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const group = groups.get(k);
    if (group) {
      group.push(item);
    } else {
      groups.set(k, [item]);
    }
  }
  return groups;
}
