import { compareRawJobs, FIELD_NAMES, type RawJobFields, type RawSnapshotJob } from '../src/sources/bullmq/snapshot-script';

type Ranked = RawSnapshotJob & { queueOrder: number; position: number };
const empty = Object.fromEntries(FIELD_NAMES.map((f) => [f, null])) as RawJobFields;
const job = (id: string, native: RawSnapshotJob['native'], sortKey: number, queueOrder = 0, position = 0): Ranked => ({
  queueIndex: 0,
  native,
  id,
  sortKey: String(sortKey),
  fields: empty,
  queueOrder,
  position,
});
const order = (jobs: Ranked[]) => [...jobs].sort(compareRawJobs).map((j) => j.id);

describe('compareRawJobs (merging batches of queues)', () => {
  it('orders by display group: active, wait/paused, prioritized, delayed, waiting-children, failed, completed', () => {
    const jobs = [
      job('completed', 'completed', 9),
      job('failed', 'failed', 9),
      job('children', 'waiting-children', 9),
      job('delayed', 'delayed', 9),
      job('prioritized', 'prioritized', 9),
      job('paused', 'paused', 9),
      job('active', 'active', 9),
    ];
    expect(order(jobs)).toEqual(['active', 'paused', 'prioritized', 'delayed', 'children', 'failed', 'completed']);
  });

  it('puts the newest first in most groups, and the next to run first for prioritized and delayed', () => {
    expect(order([job('old', 'active', 1), job('new', 'active', 2)])).toEqual(['new', 'old']);
    expect(order([job('old', 'wait', 1), job('new-paused', 'paused', 3), job('new', 'wait', 2)])).toEqual(['new-paused', 'new', 'old']);
    expect(order([job('later', 'delayed', 2 * 4096), job('sooner', 'delayed', 1 * 4096)])).toEqual(['sooner', 'later']);
    expect(order([job('p5', 'prioritized', 5 * 2 ** 32 + 1), job('p1', 'prioritized', 2 ** 32 + 9)])).toEqual(['p1', 'p5']);
    expect(order([job('old', 'failed', 1), job('new', 'failed', 2)])).toEqual(['new', 'old']);
    expect(order([job('old', 'completed', 1), job('new', 'completed', 2)])).toEqual(['new', 'old']);
    expect(order([job('old', 'waiting-children', 1), job('new', 'waiting-children', 2)])).toEqual(['new', 'old']);
  });

  it('breaks ties by queue order, then by position in the script reply', () => {
    expect(order([job('q2', 'failed', 5, 2, 0), job('q1-b', 'failed', 5, 1, 1), job('q1-a', 'failed', 5, 1, 0)])).toEqual([
      'q1-a',
      'q1-b',
      'q2',
    ]);
  });

  it('compares real delayed scores (close to 2^53) exactly', () => {
    const due = 1_795_000_000_000;
    expect(order([job('b', 'delayed', (due + 1) * 4096), job('a', 'delayed', due * 4096 + 4095)])).toEqual(['a', 'b']);
  });
});
