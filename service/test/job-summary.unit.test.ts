import { RESULT_EXCERPT_CHARS, TRACEBACK_EXCERPT_CHARS } from '@jobscope/contract';
import { toJobSummary } from '../src/sources/bullmq/job-summary';
import { FIELD_NAMES, type RawJobFields, type RawSnapshotJob } from '../src/sources/bullmq/snapshot-script';

const NOW = 1_800_000_000_000;
const PLACE = { source: 'bullmq', prefix: 'bull', queue: 'q' };

function raw(native: RawSnapshotJob['native'], fields: Partial<RawJobFields>, sortKey = '0'): RawSnapshotJob {
  const all = Object.fromEntries(FIELD_NAMES.map((f) => [f, null])) as RawJobFields;
  return { queueIndex: 0, native, id: 'j1', sortKey, fields: { ...all, name: 'job', ...fields } };
}

describe('toJobSummary', () => {
  it('cuts results and errors to 200 characters, counting emoji and CJK as one character each', () => {
    const text = '🚀界'.repeat(300); // 600 code points, 900 UTF-16 units
    const s = toJobSummary(raw('failed', { returnvalue: text, failedReason: text }), PLACE, NOW);
    expect(Array.from(s.result!)).toHaveLength(RESULT_EXCERPT_CHARS);
    expect(s.result).toBe('🚀界'.repeat(RESULT_EXCERPT_CHARS / 2));
    expect(s.error).toBe(s.result);
    expect(s.result).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/); // no lone high surrogate
  });

  it('cuts the traceback to 500 characters and leaves short text alone', () => {
    const long = toJobSummary(raw('failed', { stacktrace: 'é'.repeat(2000) }), PLACE, NOW);
    expect(long.traceback).toBe('é'.repeat(TRACEBACK_EXCERPT_CHARS));
    const short = toJobSummary(raw('failed', { stacktrace: 'Error: x', returnvalue: '"ok"' }), PLACE, NOW);
    expect(short.traceback).toBe('Error: x');
    expect(short.result).toBe('"ok"');
  });

  it('gives ISO and epoch ms for every time, and a duration for finished jobs', () => {
    const s = toJobSummary(
      raw('completed', { timestamp: '1000', processedOn: '2000', finishedOn: '3500', atm: '1', pb: 'w-1' }),
      PLACE,
      NOW
    );
    expect(s).toMatchObject({
      state: 'SUCCESS',
      nativeState: 'completed',
      createdAtMs: 1000,
      createdAt: '1970-01-01T00:00:01.000Z',
      startedAtMs: 2000,
      startedAt: '1970-01-01T00:00:02.000Z',
      finishedAtMs: 3500,
      finishedAt: '1970-01-01T00:00:03.500Z',
      durationMs: 1500,
      attemptsMade: 1,
      worker: 'w-1',
    });
  });

  it('measures running jobs against now and shows no start time for pending or delayed ones', () => {
    expect(toJobSummary(raw('active', { processedOn: String(NOW - 250) }), PLACE, NOW).durationMs).toBe(250);
    // A retried job waits again with the processedOn of its last attempt: not "started" any more.
    const retried = toJobSummary(raw('wait', { timestamp: '1', processedOn: '5', finishedOn: '9' }), PLACE, NOW);
    expect(retried).toMatchObject({ state: 'PENDING', startedAt: null, startedAtMs: null, finishedAtMs: null, durationMs: null });
  });

  it('reads the due time of a delayed job from its score (due * 4096 + seq)', () => {
    const due = 1_795_000_000_123;
    const s = toJobSummary(raw('delayed', { timestamp: '1', delay: '5' }, String(due * 4096 + 17)), PLACE, NOW);
    expect(s.dueAtMs).toBe(due);
    expect(s.dueAt).toBe(new Date(due).toISOString());
    expect(toJobSummary(raw('delayed', { timestamp: '100', delay: '50' }, 'nope'), PLACE, NOW).dueAtMs).toBe(150);
  });

  it('reads attempts from atm, then the older attemptsMade; priority 0 means none; progress stays JSON', () => {
    expect(toJobSummary(raw('failed', { attemptsMade: '3' }), PLACE, NOW).attemptsMade).toBe(3);
    expect(toJobSummary(raw('failed', { atm: '2', attemptsMade: '3' }), PLACE, NOW).attemptsMade).toBe(2);
    expect(toJobSummary(raw('wait', { priority: '0' }), PLACE, NOW).priority).toBeNull();
    expect(toJobSummary(raw('prioritized', { priority: '7' }), PLACE, NOW).priority).toBe(7);
    expect(toJobSummary(raw('active', { progress: '{"pct":42}' }), PLACE, NOW).progress).toEqual({ pct: 42 });
    expect(toJobSummary(raw('active', { progress: 'half way' }), PLACE, NOW).progress).toBe('half way');
  });

  it('maps the legacy v5 paused list to PENDING', () => {
    expect(toJobSummary(raw('paused', {}), PLACE, NOW)).toMatchObject({ state: 'PENDING', nativeState: 'paused' });
  });
});
