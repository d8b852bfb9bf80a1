import {
  EnqueueRequestSchema,
  JOB_ACTIONS,
  JOB_STATES,
  QUEUE_ACTIONS,
  SOURCE_ACTIONS,
  SourceInfoSchema,
  StatusQuerySchema,
  foldStateCounts,
  jobKey,
  jobPath,
  jobsTabUrl,
  parseJobKey,
  progressPercent,
  proxyUrl,
  sameJob,
  type JobState,
} from './index';

describe('states', () => {
  it('keeps display order', () => {
    expect(JOB_STATES[0]).toBe('RUNNING');
    expect(JOB_STATES[JOB_STATES.length - 1]).toBe('SUCCESS');
  });

  it('folds a source\'s native counts with its own mapping', () => {
    const stateOf = (n: string): JobState => (n === 'queued' || n === 'later' ? 'PENDING' : 'FAILURE');
    expect(foldStateCounts({ queued: 2, later: 3, broken: 1 }, stateOf)).toEqual({
      RUNNING: 0, PENDING: 5, DELAYED: 0, WAITING_CHILDREN: 0, FAILURE: 1, SUCCESS: 0,
    });
  });
});

describe('job key', () => {
  const ref = { source: 'bullmq', prefix: 'bull', queue: 'email', id: '42' };

  it('round-trips, also parts with separators, percent signs and unicode', () => {
    expect(jobKey(ref)).toBe('bullmq:bull:email:42');
    const odd = { source: 'mem', prefix: '{a:b}', queue: 'q/1 %', id: 'ü:9' };
    const parsed = parseJobKey(jobKey(odd));
    expect(parsed.ok && sameJob(parsed.ref, odd)).toBe(true);
  });

  it('gives a path whose separators stay readable and whose parts stay encoded', () => {
    expect(jobPath(ref)).toBe('/api/jobs/bullmq:bull:email:42');
    expect(jobPath({ ...ref, queue: 'a:b/c' }, 'retry')).toBe('/api/jobs/bullmq:bull:a%253Ab%252Fc:42/retry');
    // What a router hands back after decoding the path segment once parses to the same job.
    const segment = decodeURIComponent(jobPath({ ...ref, queue: 'a:b/c' }).split('/')[3]);
    const parsed = parseJobKey(segment);
    expect(parsed.ok && parsed.ref.queue).toBe('a:b/c');
  });

  it.each([
    ['', 'empty'],
    ['bullmq:bull:email', '4 parts'],
    ['bullmq:bull:email:1:2', '4 parts'],
    ['bullmq::email:1', 'prefix must not be empty'],
    ['bullmq:bull:%E0%A4%A:1', 'percent-encoding'],
    ['x'.repeat(7000), 'at most'],
  ])('rejects %j', (key, message) => {
    const parsed = parseJobKey(key);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toContain(message);
  });
});

describe('StatusQuerySchema', () => {
  it('defaults the limit and coerces strings', () => {
    expect(StatusQuerySchema.parse({})).toEqual({ limit: 20 });
    expect(StatusQuerySchema.parse({ limit: '200', state: 'FAILURE', queue: 'email' })).toEqual({
      limit: 200, state: 'FAILURE', queue: ['email'],
    });
    // Several queues as a comma list, trimmed and de-duplicated; times as epoch ms or ISO.
    expect(StatusQuerySchema.parse({ queue: 'a, b,a', from: '1000', to: '1970-01-01T00:00:02.000Z' })).toEqual({
      limit: 20, queue: ['a', 'b'], from: 1000, to: 2000,
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
    [{ queue: 'a\nb' }, 'control characters'],
    [{ bogus: '1' }, 'bogus'],
  ])('rejects %j', (query, message) => {
    const r = StatusQuerySchema.safeParse(query);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});

describe('SourceInfoSchema', () => {
  it('names every job and queue action once, so one list can say what a source implements', () => {
    expect(SOURCE_ACTIONS).toEqual([...JOB_ACTIONS, ...QUEUE_ACTIONS]);
    expect(new Set(SOURCE_ACTIONS).size).toBe(SOURCE_ACTIONS.length);
  });

  it('takes a source with its capabilities, and action names it does not know yet', () => {
    const celery = { id: 'celery', label: 'Celery', supports: { enqueue: true, actions: ['retry', 'cancel', 'later'] } };
    expect(SourceInfoSchema.parse(celery)).toEqual(celery);
    expect(SourceInfoSchema.safeParse({ id: 'x', label: 'X', supports: { actions: [] } }).success).toBe(false);
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
