import { LuaScript } from '../src/sources/bullmq/lua-script';
import { isPlausibleJobId } from '../src/sources/bullmq/search';

/** The search and job-log scripts assemble (every include resolved once) and are flagged read-only. */
describe.each(['search.lua', 'search-id.lua', 'job-logs.lua'])('%s', (file) => {
  const source = new LuaScript('x', file).source;

  it('starts with the no-writes flag and has no include left', () => {
    expect(source.split('\n')[0]).toBe('#!lua flags=no-writes');
    expect(source).not.toMatch(/@include/);
  });

  it('defines each shared function once', () => {
    for (const fn of ['cut', 'readSummary', 'locateJob']) {
      expect((source.match(new RegExp(`local function ${fn}\\(`, 'g')) ?? []).length).toBeLessThanOrEqual(1);
    }
  });

  it('matches text with plain string.find only (no Lua patterns built from user input)', () => {
    const finds = source.split('\n').filter((line) => line.includes('string.find('));
    for (const line of finds) {
      expect(line).toMatch(/string\.find\(.*, 1, true\)/);
    }
    expect(source.includes('string.match(') || source.includes('string.gsub(')).toBe(false);
  });
});

describe('isPlausibleJobId', () => {
  it.each(['42', 'order-42', 'a.b_c', 'ünï'])('%s may be an id', (q) => expect(isPlausibleJobId(q)).toBe(true));
  it.each(['', 'a:b', '42:logs', 'two words', 'tab\there', 'x'.repeat(513)])('%j is not', (q) =>
    expect(isPlausibleJobId(q)).toBe(false)
  );
});
