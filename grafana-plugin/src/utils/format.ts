import { dateTimeFormat, dateTimeFormatTimeAgo, dateTimeParse, getTimeZone } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { config } from '@grafana/runtime';

/** "850 ms", "12.3 s", "4 m 05 s", "2 h 03 m". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  const totalSeconds = Math.floor(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} m` : `${m} m ${pad(s)} s`;
}

/**
 * The signed-in user's time zone as Grafana resolves it: the user's preference from boot data, else Grafana's default
 * resolver (org / browser).
 */
export function userTimeZone(): TimeZone {
  return config.bootData?.user?.timezone || getTimeZone();
}

/** "a few seconds ago", "3 minutes ago", "in 2 hours": Grafana's relative time (moment's `fromNow`). */
export function formatTimeAgo(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) {
    return '—';
  }
  return dateTimeFormatTimeAgo(ms, { timeZone: userTimeZone() });
}

/** Absolute time in Grafana's date format and the user's time zone, e.g. "2026-11-29 12:00:00". */
export function formatAbsolute(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) {
    return '';
  }
  return dateTimeFormat(ms, { timeZone: userTimeZone() });
}

/** Epoch ms of a `from`/`to` URL value (epoch ms or ISO, as the service takes them); null when neither. */
export function timeParamMs(value: string | undefined): number | null {
  if (!value) {
    return null;
  }
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * A time typed in a from/to field, in the user's time zone: "2026-11-29 12:00:00", an ISO time, epoch ms, or a Grafana
 * relative time such as "now-1h" (taken at the moment it is entered). Returns epoch ms, or null when not a time.
 */
export function parseTimeInput(text: string): number | null {
  const value = text.trim();
  if (/^\d{1,16}$/.test(value)) {
    return Number(value);
  }
  if (!/^now/.test(value) && !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    return null;
  }
  const parsed = dateTimeParse(value, { timeZone: userTimeZone() });
  return parsed.isValid() ? parsed.valueOf() : null;
}
