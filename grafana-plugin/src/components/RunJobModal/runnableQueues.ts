import { sourceSupports, type SourceCapabilities } from '../../utils/jobActions';
import { queueNames, type QueueAddress } from '../../utils/queues';

/** Queue names the Run job dialog offers: those of sources that can enqueue (all when capabilities are unknown). */
export function runnableQueueNames(queues: readonly QueueAddress[], capabilities: SourceCapabilities): string[] {
  return queueNames(queues.filter((q) => sourceSupports(capabilities, q.source, 'enqueue')));
}

/** Whether any source can enqueue: else there is no Run job button (unknown capabilities: there is). */
export function canEnqueueAnywhere(capabilities: SourceCapabilities): boolean {
  return capabilities === null || [...capabilities.values()].some((s) => s.enqueue);
}
