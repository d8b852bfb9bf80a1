import { sourceCapabilities } from '../../utils/jobActions';
import { canEnqueueAnywhere, runnableQueueNames } from './runnableQueues';

const QUEUES = [
  { name: 'email', prefix: 'bull', source: 'bullmq' },
  { name: 'inbox', prefix: 'mem', source: 'memory' },
  { name: 'celery', prefix: 'db0', source: 'celery' },
  // A name two sources share is offered when one of them can take jobs.
  { name: 'shared', prefix: 'mem', source: 'memory' },
  { name: 'shared', prefix: 'bull', source: 'bullmq' },
];

describe('runnable queues', () => {
  const caps = sourceCapabilities([
    { id: 'bullmq', label: 'BullMQ', supports: { enqueue: true, actions: [] } },
    { id: 'celery', label: 'Celery', supports: { enqueue: true, actions: [] } },
    { id: 'memory', label: 'memory', supports: { enqueue: false, actions: [] } },
  ]);

  it('offers the queues of sources that can enqueue, sorted, each once', () => {
    expect(runnableQueueNames(QUEUES, caps)).toEqual(['celery', 'email', 'shared']);
  });

  it('offers every queue when the capabilities are unknown (a service without `sources`)', () => {
    expect(runnableQueueNames(QUEUES, null)).toEqual(['celery', 'email', 'inbox', 'shared']);
    expect(canEnqueueAnywhere(null)).toBe(true);
  });

  it('says whether any source can enqueue', () => {
    expect(canEnqueueAnywhere(caps)).toBe(true);
    expect(
      canEnqueueAnywhere(sourceCapabilities([{ id: 'memory', label: 'm', supports: { enqueue: false, actions: [] } }]))
    ).toBe(false);
  });
});
