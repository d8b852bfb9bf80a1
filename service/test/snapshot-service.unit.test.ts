import type { JobSummary, RedisStatus } from '@jobscope/contract';
import type { RedisProbe } from '../src/redis/probe';
import { mergeSources, SnapshotService, SnapshotUnavailableError } from '../src/snapshot/snapshot-service';
import type { JobSource, SourceSnapshot } from '../src/sources/source';
import { SourceRegistry } from '../src/sources/registry';

const OK: RedisStatus = { ok: true, latencyMs: 0.2, error: null, version: '7.0.15' };

function summary(id: string, state: JobSummary['state'], times: Partial<JobSummary> = {}): JobSummary {
  return {
    id, queue: 'q', prefix: 'p', source: 'fake', name: id, state, nativeState: 'wait', createdAt: null, createdAtMs: null,
    startedAt: null, startedAtMs: null, finishedAt: null, finishedAtMs: null, dueAt: null, dueAtMs: null,
    durationMs: null, progress: null, attemptsMade: 0, priority: null, worker: null, result: null, error: null,
    traceback: null, ...times,
  };
}

/** A source whose answers the test controls; counts how often it was read. */
class FakeSource {
  calls = 0;
  next: () => Promise<SourceSnapshot> = async () => ({
    jobs: [summary(`job-${this.calls}`, 'PENDING')],
    queues: [],
    workers: { status: 'ok', reason: null, items: [] },
  });
  readonly id = 'fake';
  readonly reads = {
    snapshot: (): Promise<SourceSnapshot> => {
      this.calls++;
      return this.next();
    },
  };
}

function setup(ttlMs: number) {
  const source = new FakeSource();
  let redis: RedisStatus = OK;
  const probe = { ping: async () => redis } as unknown as RedisProbe;
  let now = 1_000_000;
  const service = new SnapshotService({
    registry: new SourceRegistry([source as unknown as JobSource]),
    probe,
    ttlMs,
    now: () => now,
  });
  return {
    source,
    service,
    advance: (ms: number) => (now += ms),
    setRedis: (r: RedisStatus) => (redis = r),
  };
}

const Q = { limit: 20 };

describe('SnapshotService', () => {
  it('concurrent requests share one in-flight build', async () => {
    const { source, service } = setup(0);
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((r) => (finish = r));
    const original = source.next;
    source.next = async () => {
      await gate;
      return original();
    };
    const pending = Array.from({ length: 10 }, () => service.get(Q));
    finish();
    const answers = await Promise.all(pending);
    expect(source.calls).toBe(1);
    expect(new Set(answers.map((a) => a.generatedAtMs)).size).toBe(1);
  });

  it('reuses a snapshot for the TTL, per query, then builds a new one', async () => {
    const { source, service, advance } = setup(1000);
    await service.get(Q);
    advance(999);
    const cached = await service.get(Q);
    expect(source.calls).toBe(1);
    expect(cached.ageMs).toBe(999);
    await service.get({ limit: 5 });
    expect(source.calls).toBe(2);
    advance(1);
    const fresh = await service.get(Q);
    expect(source.calls).toBe(3);
    expect(fresh.ageMs).toBe(0);
  });

  it('serves the last good snapshot marked stale when the source fails, and recovers', async () => {
    const { source, service, advance } = setup(0);
    const good = await service.get(Q);
    source.next = () => Promise.reject(new Error('Connection is closed.'));
    advance(1500);
    const stale = await service.get(Q);
    expect(stale).toMatchObject({
      stale: true,
      ageMs: 1500,
      generatedAtMs: good.generatedAtMs,
      jobs: good.jobs,
      redis: { ok: false, latencyMs: null, error: 'Connection is closed.' },
    });
    source.next = new FakeSource().next;
    advance(10);
    expect(await service.get(Q)).toMatchObject({ stale: false, ageMs: 0, redis: OK });
  });

  it('treats a failed PING as a failed snapshot even if the source answered', async () => {
    const { service, setRedis } = setup(0);
    await service.get(Q);
    setRedis({ ok: false, latencyMs: null, error: 'PING timed out', version: null });
    expect(await service.get(Q)).toMatchObject({ stale: true, redis: { ok: false, error: 'PING timed out' } });
  });

  it('throws SnapshotUnavailableError when there is no snapshot to fall back on', async () => {
    const { source, service } = setup(0);
    source.next = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    await expect(service.get(Q)).rejects.toThrow(SnapshotUnavailableError);
    await expect(service.get(Q)).rejects.toThrow('ECONNREFUSED');
  });

  it('remembers a failure for the TTL too, so pollers do not hammer a sick Redis', async () => {
    const { source, service, advance } = setup(1000);
    source.next = () => Promise.reject(new Error('down'));
    await expect(service.get(Q)).rejects.toThrow('down');
    await expect(service.get(Q)).rejects.toThrow('down');
    expect(source.calls).toBe(1);
    advance(1000);
    await expect(service.get(Q)).rejects.toThrow('down');
    expect(source.calls).toBe(2);
  });
});

describe('mergeSources', () => {
  it('merges several sources by state, then time, then source order, and applies the limit', () => {
    const a = [summary('a-run', 'RUNNING', { startedAtMs: 10 }), summary('a-fail', 'FAILURE', { finishedAtMs: 5 })];
    const b = [
      summary('b-run', 'RUNNING', { startedAtMs: 20 }),
      summary('b-delayed', 'DELAYED', { dueAtMs: 7 }),
      summary('b-fail', 'FAILURE', { finishedAtMs: 5 }),
    ];
    expect(mergeSources([a, b], 10).map((j) => j.id)).toEqual(['b-run', 'a-run', 'b-delayed', 'a-fail', 'b-fail']);
    expect(mergeSources([a, b], 2).map((j) => j.id)).toEqual(['b-run', 'a-run']);
    expect(mergeSources([b], 1).map((j) => j.id)).toEqual(['b-run']);
  });

  it("keeps each source's own order within a state (prioritized jobs in run order, not by creation)", () => {
    const a = [
      summary('a-wait', 'PENDING', { createdAtMs: 50 }),
      summary('a-prio-next', 'PENDING', { createdAtMs: 10 }),
      summary('a-prio-later', 'PENDING', { createdAtMs: 40 }),
    ];
    const b = [summary('b-wait', 'PENDING', { createdAtMs: 30 })];
    expect(mergeSources([a, b], 10).map((j) => j.id)).toEqual(['a-wait', 'b-wait', 'a-prio-next', 'a-prio-later']);
  });
});

describe('SnapshotService.invalidate', () => {
  it('makes the next request read again, and an older in-flight read is not shared after it', async () => {
    const { source, service } = setup(60_000);
    await service.get(Q);
    await service.get(Q);
    expect(source.calls).toBe(1);
    let finish: () => void = () => undefined;
    const gate = new Promise<void>((r) => (finish = r));
    const original = source.next;
    source.next = async () => {
      await gate;
      return original();
    };
    service.invalidate();
    const before = service.get(Q);
    expect(source.calls).toBe(2);
    service.invalidate();
    source.next = async () => ({ ...(await original()), jobs: [summary('after-the-write', 'PENDING')] });
    const after = await service.get(Q);
    expect(source.calls).toBe(3);
    finish();
    await before;
    expect(after.jobs[0].id).toBe('after-the-write');
    // The read that started before the write finished later, but did not become the shared result.
    expect((await service.get(Q)).jobs[0].id).toBe('after-the-write');
    expect(source.calls).toBe(3);
  });
});
