import { createHash } from 'node:crypto';
import { pipelineByNode, type RedisClient } from '../../redis/topology';
import type { DiscoveredQueue } from './discovery';
import { keyBase } from './queue-set';

/**
 * BullMQ appends to each queue's `<prefix>:<queue>:events` stream on every state change and progress update, so the
 * last entry id of every queue's stream changes exactly when something a user could see changed. One pipelined
 * XREVRANGE … COUNT 1 per queue (O(1) each; one pipeline per Cluster node), read-only; the queue list itself is part of the marker too.
 */
export async function readChangeMarker(client: RedisClient, queues: DiscoveredQueue[], only?: string[]): Promise<string> {
  const watched = only ? queues.filter((q) => only.includes(q.name)) : queues;
  const replies = await pipelineByNode(client, watched, (q) => `${keyBase(q)}events`, 1, (pipeline, q) =>
    pipeline.xrevrange(`${keyBase(q)}events`, '+', '-', 'COUNT', 1)
  );
  const hash = createHash('sha1');
  replies.forEach(([err, entries], i) => {
    if (err) {
      throw err;
    }
    const last = (entries as Array<[string, string[]]>)[0]?.[0] ?? '';
    hash.update(`${keyBase(watched[i])}=${last}\n`);
  });
  return hash.digest('base64url');
}
