import React from 'react';
import { formatAbsolute, formatRelative } from '../../utils/format';

/** Relative time, with the absolute time on hover. */
export function TimeCell({ iso, ms, now }: { iso: string | null; ms: number | null; now: number }) {
  if (ms === null) {
    return <span>—</span>;
  }
  return (
    <time dateTime={iso ?? undefined} title={formatAbsolute(iso ?? new Date(ms).toISOString())}>
      {formatRelative(ms, now)}
    </time>
  );
}
