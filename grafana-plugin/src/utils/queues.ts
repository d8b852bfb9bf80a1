/** What identifies a queue: its name under a prefix in a source. */
export interface QueueAddress {
  name: string;
  prefix: string;
  source: string;
}

/** Queue names (sorted, each once) for pickers: the status filter and the enqueue request name queues by name. */
export function queueNames(queues: readonly QueueAddress[]): string[] {
  return [...new Set(queues.map((q) => q.name))].sort((a, b) => a.localeCompare(b));
}

/** Names listed under more than one prefix or source: wherever they show, the prefix is shown too. */
export function ambiguousQueueNames(queues: readonly QueueAddress[]): Set<string> {
  const seen = new Map<string, Set<string>>();
  for (const q of queues) {
    const where = seen.get(q.name) ?? new Set<string>();
    where.add(`${q.source}\u0000${q.prefix}`);
    seen.set(q.name, where);
  }
  return new Set([...seen].filter(([, where]) => where.size > 1).map(([name]) => name));
}
