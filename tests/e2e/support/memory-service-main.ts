// The service's real entry (config from the environment, HTTP server, signals) with one extra job source: the
// test-only MemorySource, seeded with MEMORY_JOBS. Spawned like service/src/main.ts (startService's `entry`).
import { runService } from '../../../service/src/main';
import { MemorySource } from '../../../service/test/helpers/memory-source';
import { MEMORY_JOBS, MEMORY_SOURCE } from './memory-jobs';

const source = new MemorySource(MEMORY_SOURCE.id, MEMORY_SOURCE.prefix, [MEMORY_SOURCE.queue]);
for (const job of MEMORY_JOBS) {
  source.add({ ...job });
}

runService({ extraSources: [source] }).catch((err: unknown) => {
  process.stderr.write(`jobscope (memory e2e entry): failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
