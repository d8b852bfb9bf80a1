import { nestsDeeperThan } from '../src/http/json-depth';

const nest = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) {
    v = i % 2 ? [v] : { k: v };
  }
  return v;
};

describe('nestsDeeperThan', () => {
  it('counts objects and arrays as levels, scalars as none', () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan(nest(64), 64)).toBe(false);
    expect(nestsDeeperThan(nest(65), 64)).toBe(true);
  });

  it('finds the deep branch among shallow ones and survives a million levels', () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: nest(10) }], d: 'x' }, 13)).toBe(false);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: nest(10) }], d: 'x' }, 12)).toBe(true);
    expect(nestsDeeperThan(nest(1_000_000), 64)).toBe(true);
  });
});
