import type Redis from 'ioredis';
import type { WorkerInfo } from '@jobscope/contract';
import type { WorkersReport } from '../source';
import { isCluster, masterNodes, nodeDeadline, notConnectedError, type RedisClient } from '../../redis/topology';

/**
 * BullMQ names each worker's blocking connection `<prefix>:<base64(queue)>` or `<prefix>:<base64(queue)>:w:<name>`,
 * so one CLIENT LIST per server tells the workers of every queue at once (getWorkers() runs it once per queue).
 */
export function parseClientList(text: string, prefixes: string[]): WorkerInfo[] {
  const workers: WorkerInfo[] = [];
  for (const line of text.split('\n')) {
    // Most clients are not BullMQ workers of these prefixes: skip them before splitting the line into fields.
    const at = line.indexOf(' name=');
    if (at < 0 || !prefixes.some((prefix) => line.startsWith(`${prefix}:`, at + 6))) {
      continue;
    }
    const fields = new Map<string, string>();
    for (const pair of line.trim().split(' ')) {
      const eq = pair.indexOf('=');
      if (eq > 0) {
        fields.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    }
    const clientName = fields.get('name');
    if (!clientName) {
      continue;
    }
    for (const prefix of prefixes) {
      if (!clientName.startsWith(`${prefix}:`)) {
        continue;
      }
      const rest = clientName.slice(prefix.length + 1);
      const marker = rest.indexOf(':w:');
      const encoded = marker >= 0 ? rest.slice(0, marker) : rest;
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
        continue;
      }
      const queue = Buffer.from(encoded, 'base64').toString('utf8');
      if (!queue || Buffer.from(queue, 'utf8').toString('base64') !== encoded) {
        continue;
      }
      const num = (key: string) => {
        const v = Number(fields.get(key));
        return Number.isFinite(v) ? v : null;
      };
      workers.push({
        queue,
        prefix,
        name: marker >= 0 ? rest.slice(marker + 3) : null,
        addr: fields.get('addr') ?? null,
        ageSeconds: num('age'),
        idleSeconds: num('idle'),
      });
      break;
    }
  }
  return workers;
}

/** Managed Redis services (e.g. Memorystore) and restrictive ACLs forbid CLIENT: then workers are "unknown". */
function isForbidden(err: Error): boolean {
  return /NOPERM|unknown command|not allowed|disabled|forbidden|not support/i.test(err.message);
}

async function readNode(node: Redis, prefixes: string[]): Promise<WorkersReport> {
  try {
    const text = (await node.call('CLIENT', 'LIST')) as string;
    return { status: 'ok', reason: null, items: parseClientList(text, prefixes) };
  } catch (err) {
    if (err instanceof Error && isForbidden(err)) {
      return { status: 'unknown', reason: `CLIENT LIST refused by the server: ${err.message}`, items: [] };
    }
    throw err;
  }
}

/**
 * One CLIENT LIST per server: the one Redis, or every master of a Cluster (BullMQ sends a worker's commands, its
 * blocking reads included, to the master of its queue's slot). A master that does not answer is left out (its queues
 * are marked stale anyway) unless none answers.
 */
export async function readWorkers(client: RedisClient, prefixes: string[]): Promise<WorkersReport> {
  if (!isCluster(client)) {
    return readNode(client, prefixes);
  }
  const settled = await Promise.allSettled(masterNodes(client).map((node) => nodeDeadline(client, readNode(node, prefixes), 'CLIENT LIST')));
  const reports = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  if (reports.length === 0) {
    throw settled.find((s) => s.status === 'rejected')?.reason ?? notConnectedError(client);
  }
  const refused = reports.find((r) => r.status === 'unknown');
  return refused ?? { status: 'ok', reason: null, items: reports.flatMap((r) => r.items) };
}
