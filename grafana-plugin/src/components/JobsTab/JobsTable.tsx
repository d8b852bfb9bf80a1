import React, { useCallback, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { JobSummary } from '@jobscope/contract';
import { JOB_COLUMNS, JobRow } from './JobRow';

interface Props {
  jobs: JobSummary[];
  now: number;
  highlightedId?: string;
  stale: boolean;
}

/** Jobs as the service sorted them (RUNNING first, SUCCESS last); a click expands a row to its result or traceback. */
export function JobsTable({ jobs, now, highlightedId, stale }: Props) {
  const styles = useStyles2(getStyles);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((key: string) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(key)) {
        next.delete(key);
      } else {
        next.add(key);
      }
      return next;
    });
  }, []);

  return (
    <div className={styles.scroll}>
      <table className={cx(styles.table, stale && styles.stale)}>
        <thead>
          <tr>
            {JOB_COLUMNS.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            // Ids are unique per queue only.
            const key = `${job.queue}\u0000${job.id}`;
            return (
              <JobRow
                key={key}
                job={job}
                now={now}
                expanded={expanded.has(key)}
                highlighted={highlightedId !== undefined && job.id === highlightedId}
                onToggle={() => toggle(key)}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  scroll: css({ overflowX: 'auto' }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.body.fontSize,
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      verticalAlign: 'middle',
      whiteSpace: 'nowrap',
    },
    th: {
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
      background: theme.colors.background.secondary,
    },
  }),
  stale: css({ opacity: 0.6 }),
});
