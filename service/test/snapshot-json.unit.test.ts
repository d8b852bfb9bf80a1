import type { RedisStatus } from '@jobscope/contract';
import type { RedisProbe } from '../src/redis/probe';
import { SnapshotService } from '../src/snapshot/snapshot-service';
import type { JobSource, SourceSnapshot } from '../src/sources/source';
import { SourceRegistry } from '../src/sources/registry';

/** The serialized answer of the status route (`getJson`) and the build timeout. */

const OK: RedisStatus = { ok: true, latencyMs: 0.2, error: null, version: '7.0.15' };

function setup(opts: { ttlMs: number; timeoutMs?: number }) {
  let next: () => Promise<SourceSnapshot> = async () => ({
    jobs: [],
    queues: [],
    workers: { status: 'ok', reason: null, items: [] },
  });
  let calls = 0;
  const source = {
    id: 'fake',
    reads: {
      snapshot: () => {
        calls++;
        return next();
      },
    },
  };
  let now = 1_000_000;
  const service = new SnapshotService({
    registry: new SourceRegistry([source as unknown as JobSource]),
    probe: { ping: async () => OK } as unknown as RedisProbe,
    ttlMs: opts.ttlMs,
    timeoutMs: opts.timeoutMs,
    now: () => now,
  });
  return {
    service,
    calls: () => calls,
    advance: (ms: number) => (now += ms),
    hang: () => (next = () => new Promise<SourceSnapshot>(() => undefined)),
  };
}

describe('SnapshotService.getJson', () => {
  it('is the same body as get(), with the current ageMs spliced into bytes serialized once', async () => {
    const t = setup({ ttlMs: 10_000 });
    const first = await t.service.getJson({ limit: 20, name: '"ageMs":0,' });
    t.advance(1234);
    const spy = jest.spyOn(JSON, 'stringify');
    const cached = await t.service.getJson({ limit: 20, name: '"ageMs":0,' });
    // Only the tiny cache key is serialized, never the body again.
    expect(spy.mock.calls.filter(([v]) => v !== null && typeof v === 'object' && 'generatedAt' in v)).toEqual([]);
    spy.mockRestore();
    expect(t.calls()).toBe(1);
    expect(JSON.parse(first)).toEqual(await t.service.get({ limit: 20, name: '"ageMs":0,' }).then((b) => ({ ...b, ageMs: 0 })));
    const body = JSON.parse(cached);
    expect(body.ageMs).toBe(1234);
    expect(body.filter.name).toBe('"ageMs":0,');
    expect(body).toEqual(await t.service.get({ limit: 20, name: '"ageMs":0,' }));
  });

  it('a hung read gives the stale snapshot within timeoutMs, serialized once per outage', async () => {
    const t = setup({ ttlMs: 0, timeoutMs: 100 });
    await t.service.getJson({ limit: 20 });
    t.hang();
    const started = Date.now();
    const stale = JSON.parse(await t.service.getJson({ limit: 20 }));
    expect(Date.now() - started).toBeLessThan(600);
    expect(stale).toMatchObject({ stale: true, redis: { ok: false, error: expect.stringMatching(/timed out after 100 ms/) } });
  });
});
