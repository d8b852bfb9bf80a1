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

/** "just now", "12 s ago", "3 min ago", "2 h ago", "4 d ago" for a past time; "in 12 s" for a future one. */
export function formatRelative(thenMs: number | null, nowMs: number): string {
  if (thenMs === null) {
    return '—';
  }
  const diff = nowMs - thenMs;
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  let text: string;
  if (s < 1) {
    return 'just now';
  } else if (s < 60) {
    text = `${Math.floor(s)} s`;
  } else if (s < 3600) {
    text = `${Math.floor(s / 60)} min`;
  } else if (s < 86400) {
    text = `${Math.floor(s / 3600)} h`;
  } else {
    text = `${Math.floor(s / 86400)} d`;
  }
  return future ? `in ${text}` : `${text} ago`;
}

/** Absolute time for tooltips, in the browser's zone. */
export function formatAbsolute(iso: string | null): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
