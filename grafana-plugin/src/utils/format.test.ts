import { formatDuration, formatRelative } from './format';

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 m 05 s'],
    [7_380_000, '2 h 03 m'],
  ])('%p -> %p', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it.each([
    [null, '—'],
    [now - 200, 'just now'],
    [now - 12_000, '12 s ago'],
    [now - 180_000, '3 min ago'],
    [now - 2 * 3600_000, '2 h ago'],
    [now - 4 * 86400_000, '4 d ago'],
    [now + 12_000, 'in 12 s'],
  ])('%p -> %p', (then, text) => expect(formatRelative(then, now)).toBe(text));
});
