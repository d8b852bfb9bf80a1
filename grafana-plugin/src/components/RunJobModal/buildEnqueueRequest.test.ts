import { buildEnqueueRequest } from './buildEnqueueRequest';

const base = { queue: 'email', name: 'send', data: '{}', delay: '', priority: '' };

describe('buildEnqueueRequest', () => {
  it('builds a minimal request with empty options left out', () => {
    expect(buildEnqueueRequest(base)).toEqual({
      ok: true,
      request: { queue: 'email', name: 'send', data: {}, opts: {} },
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
    [{ queue: 'a:b' }, 'queue', /separator/],
  ])('rejects %j on %s', (change, field, message) => {
    const r = buildEnqueueRequest({ ...base, ...change });
    expect(r.ok).toBe(false);
    expect(r.ok === false && r.errors[field as keyof typeof r.errors]).toMatch(message);
  });
});
