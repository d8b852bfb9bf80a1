import { config } from '@grafana/runtime';
import { formatAbsolute, formatDuration, formatTimeAgo, userTimeZone } from './format';

describe('formatDuration', () => {
  it.each([
    [null, '—'],
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 m 05 s'],
    [7_380_000, '2 h 03 m'],
  ])('%p -> %p', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('dates through Grafana', () => {
  const T = Date.UTC(2026, 10, 29, 12, 0, 0);
  const original = config.bootData.user.timezone;
  afterEach(() => {
    config.bootData.user.timezone = original;
    jest.useRealTimers();
  });

  it('formats absolute times in Grafana format and the user time zone', () => {
    config.bootData.user.timezone = 'utc';
    expect(formatAbsolute(T)).toBe('2026-11-29 12:00:00');
    config.bootData.user.timezone = 'Europe/Berlin';
    expect(userTimeZone()).toBe('Europe/Berlin');
    expect(formatAbsolute(T)).toBe('2026-11-29 13:00:00');
    expect(formatAbsolute(null)).toBe('');
  });

  it('without a user preference uses Grafana’s resolved time zone', () => {
    config.bootData.user.timezone = '';
    expect(userTimeZone()).toBeTruthy();
    expect(formatAbsolute(T)).toBe('2026-11-29 12:00:00'); // jest runs in UTC
  });

  it.each([
    [-200, 'a few seconds ago'],
    [-180_000, '3 minutes ago'],
    [-2 * 3600_000, '2 hours ago'],
    [-4 * 86400_000, '4 days ago'],
    [3 * 3600_000, 'in 3 hours'],
  ])('relative time %p ms from now -> %p', (offset, text) => {
    jest.useFakeTimers({ now: T });
    expect(formatTimeAgo(T + offset)).toBe(text);
  });

  it('shows a dash for a missing time', () => {
    expect(formatTimeAgo(null)).toBe('—');
  });
});
