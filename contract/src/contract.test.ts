import {
  EnqueueRequestSchema,
  JOB_STATES,
  NATIVE_STATES,
  STATE_OF_NATIVE,
  StatusQuerySchema,
  jobsTabUrl,
  progressPercent,
  proxyUrl,
  toStateCounts,
} from './index';

describe('states', () => {
  it('maps every BullMQ state to a user state and keeps display order', () => {
    for (const n of NATIVE_STATES) {
      expect(JOB_STATES).toContain(STATE_OF_NATIVE[n]);
    }
    expect(JOB_STATES[0]).toBe('RUNNING');
    expect(JOB_STATES[JOB_STATES.length - 1]).toBe('SUCCESS');
  });

  it('folds native counts', () => {
    const counts = toStateCounts({
      active: 1, wait: 2, paused: 3, prioritized: 4, delayed: 5, 'waiting-children': 6, failed: 7, completed: 8,
    });
    expect(counts).toEqual({ RUNNING: 1, PENDING: 9, DELAYED: 5, WAITING_CHILDREN: 6, FAILURE: 7, SUCCESS: 8 });
  });
});

describe('StatusQuerySchema', () => {
  it('defaults the limit and coerces strings', () => {
    expect(StatusQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(StatusQuerySchema.parse({ limit: '200', state: 'FAILURE', queue: 'email' })).toEqual({
      limit: 200, state: 'FAILURE', queue: 'email',
    });
  });

  it.each([
    [{ limit: '201' }, 'at most 200'],
    [{ limit: '0' }, 'at least 1'],
    [{ limit: 'ten' }, 'whole number'],
    [{ limit: '1e2' }, 'whole number'],
    [{ limit: '0x10' }, 'whole number'],
    [{ limit: '' }, 'whole number'],
    [{ state: 'running' }, 'state must be one of'],
    [{ queue: 'a:b' }, 'key separator'],
    [{ bogus: '1' }, 'bogus'],
  ])('rejects %j', (query, message) => {
    const r = StatusQuerySchema.safeParse(query);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});

describe('EnqueueRequestSchema', () => {
  it('accepts a minimal request', () => {
    expect(EnqueueRequestSchema.parse({ queue: 'email', name: 'send' })).toEqual({
      queue: 'email', name: 'send', data: {}, opts: {},
    });
  });

  it('rejects unknown fields at both levels', () => {
    expect(EnqueueRequestSchema.safeParse({ queue: 'q', name: 'n', extra: 1 }).success).toBe(false);
    expect(EnqueueRequestSchema.safeParse({ queue: 'q', name: 'n', opts: { removeOnComplete: true } }).success).toBe(false);
  });

  it('rejects negative delays and fractional priorities', () => {
    expect(EnqueueRequestSchema.safeParse({ queue: 'q', name: 'n', opts: { delay: -1 } }).success).toBe(false);
    expect(EnqueueRequestSchema.safeParse({ queue: 'q', name: 'n', opts: { priority: 1.5 } }).success).toBe(false);
  });
});

describe('helpers', () => {
  it('reads progress percentages', () => {
    expect(progressPercent(42)).toBe(42);
    expect(progressPercent({ pct: 150 })).toBe(100);
    expect(progressPercent('half')).toBeNull();
    expect(progressPercent(null)).toBeNull();
  });

  it('builds proxy and jobs-tab URLs', () => {
    expect(proxyUrl('/api/settings/jobs/status')).toBe('/api/plugin-proxy/jobscope-jobs-app/api/settings/jobs/status');
    expect(() => proxyUrl('/metrics')).toThrow();
    expect(jobsTabUrl({ queue: 'email', state: 'FAILURE' })).toBe(
      '/a/jobscope-jobs-app/settings?tab=jobs&queue=email&state=FAILURE'
    );
  });
});
