// What memory-service-main.ts seeds its in-memory source with; the scenarios read the same constants.
import path from 'node:path';
import type { MemoryJob } from '../../../service/test/helpers/memory-source';

/** The entry file for startService's `entry`, relative to the repository root. */
export const MEMORY_SERVICE_MAIN = path.join('tests', 'e2e', 'support', 'memory-service-main.ts');

export const MEMORY_SOURCE = { id: 'memory', prefix: 'mem', queue: 'mem-inbox' } as const;

export const MEMORY_JOBS: ReadonlyArray<Omit<MemoryJob, 'createdAtMs'>> = [
  { id: 'mem-broken-1', queue: MEMORY_SOURCE.queue, name: 'mem-import', native: 'broken', data: { file: 'a.csv' }, error: 'disk full' },
  { id: 'mem-queued-1', queue: MEMORY_SOURCE.queue, name: 'mem-export', native: 'queued', data: { file: 'b.csv' } },
];
