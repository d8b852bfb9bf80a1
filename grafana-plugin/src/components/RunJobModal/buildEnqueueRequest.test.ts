import { buildEnqueueRequest } from './buildEnqueueRequest';

const base = { queue: 'email', name: 'send', data: '{}', delay: '', priority: '' };

describe('buildEnqueueRequest', () => {
  it('builds a minimal request with empty options left out', () => {
    expect(buildEnqueueRequest(base)).toEqual({
      ok: true,
      request: { queue: 'email', name: 'send', data: {}, opts: {} },
    });
  });

  it('leaves source rules to the service: a ":" in a queue name is the BullMQ source\'s to refuse', () => {
    expect(buildEnqueueRequest({ ...base, queue: 'a:b' })).toMatchObject({ ok: true, request: { queue: 'a:b' } });
  });

  it('has no plugin-side priority maximum (the source checks its own, BullMQ 2,097,151)', () => {
    expect(buildEnqueueRequest({ ...base, priority: '5000000' })).toMatchObject({
      ok: true,
      request: { opts: { priority: 5_000_000 } },
    });
  });

  it('treats blank data as {}', () => {
    expect(buildEnqueueRequest({ ...base, data: '  ' })).toMatchObject({ ok: true, request: { data: {} } });
  });

  it.each([
    [{ data: '{x' }, 'data', /Not valid JSON/],
    [{ delay: 'soon' }, 'delay', /milliseconds/],
    [{ delay: '-1' }, 'delay', /.+/],
    [{ priority: '1.5' }, 'priority', /whole number/],
    [{ name: '  ' }, 'name', /must not be empty/],
    [{ queue: '  ' }, 'queue', /must not be blank/],
    [{ queue: 'a\u0000b' }, 'queue', /control characters/],
  ])('rejects %j on %s', (change, field, message) => {
    const r = buildEnqueueRequest({ ...base, ...change });
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.errors[field as keyof typeof r.errors]).toMatch(message);
  });
});
