import React from 'react';
import { formatAbsolute, formatTimeAgo } from '../../utils/format';

/** Relative time (Grafana's), with the absolute time in the user's time zone on hover. */
export function TimeCell({ iso, ms }: { iso: string | null; ms: number | null }) {
  if (ms === null) {
    return <span>—</span>;
  }
  return (
    <time dateTime={iso ?? new Date(ms).toISOString()} title={formatAbsolute(ms)}>
      {formatTimeAgo(ms)}
    </time>
  );
}
