import type Redis from 'ioredis';

/** INFO commandstats as a map: command (e.g. `evalsha`, `client|list`) → calls and µs so far. */
export type CommandStats = Map<string, { calls: number; usec: number }>;

export async function commandStats(admin: Redis): Promise<CommandStats> {
  const stats: CommandStats = new Map();
  for (const m of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    stats.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return stats;
}

/** What ran between two readings (commands with new calls only; the bench's own INFO left out). */
export function statsDelta(before: CommandStats, after: CommandStats): CommandStats {
  const d: CommandStats = new Map();
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    if (a.calls - b.calls > 0 && name !== 'info') {
      d.set(name, { calls: a.calls - b.calls, usec: a.usec - b.usec });
    }
  }
  return d;
}
