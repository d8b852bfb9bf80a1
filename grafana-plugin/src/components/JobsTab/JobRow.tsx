import React, { useEffect, useRef } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2 } from '@grafana/ui';
import { jobKey, type JobSummary } from '@jobscope/contract';
import type { Permission } from '../../hooks/usePermissions';
import { formatDuration } from '../../utils/format';
import { getTableStyles } from '../tableStyles';
import { TEST_IDS } from '../testIds';
import { WatchToggle } from '../Watch/WatchToggle';
import type { SourceCapabilities } from '../../utils/jobActions';
import { JobActionsMenu } from './JobActionsMenu';
import { ProgressBar } from './ProgressBar';
import { StateBadge } from './StateBadge';
import { TimeCell } from './TimeCell';

export const JOB_COLUMNS = [
  '',
  'State',
  'Name',
  'Queue',
  'ID',
  'Created',
  'Started',
  'Finished',
  'Duration',
  'Progress',
  'Attempts',
  'Worker',
  'Actions',
];

/** The table's columns: with a Source column before Queue when the list mixes sources. */
export function jobColumns(showSource: boolean): string[] {
  if (!showSource) {
    return JOB_COLUMNS;
  }
  const at = JOB_COLUMNS.indexOf('Queue');
  return [...JOB_COLUMNS.slice(0, at), 'Source', ...JOB_COLUMNS.slice(at)];
}

interface Props {
  job: JobSummary;
  /** Show the queue's prefix (and source) next to its name: another queue of the same name is listed. */
  showPrefix: boolean;
  /** Its drawer is open. */
  highlighted: boolean;
  /** Opens its drawer. */
  onOpen: () => void;
  /** jobs:write, for the row's action menu. */
  canWrite: Permission;
  /** The Source column's text (the source's label) when the table shows that column; null: no column. */
  sourceLabel?: string | null;
  /** What each source can do: the row's menu lists only the actions its job's source supports. */
  capabilities?: SourceCapabilities;
}

export function JobRow({
  job,
  showPrefix,
  highlighted,
  onOpen,
  canWrite,
  sourceLabel = null,
  capabilities = null,
}: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const rowRef = useRef<HTMLTableRowElement>(null);

  // Scroll a highlighted job (from `&job=<job key>`) into view once, when it first appears.
  useEffect(() => {
    if (highlighted) {
      rowRef.current?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
    }
  }, [highlighted]);

  return (
    <>
      <tr
        ref={rowRef}
        data-testid={TEST_IDS.jobRow}
        data-job-key={jobKey(job)}
        data-job-id={job.id}
        data-queue={job.queue}
        data-prefix={job.prefix}
        data-source={job.source}
        data-state={job.state}
        data-highlighted={highlighted ? 'true' : undefined}
        aria-expanded={highlighted}
        aria-haspopup="dialog"
        title="Open this job"
        tabIndex={0}
        className={cx(styles.row, highlighted && styles.highlighted)}
        onClick={onOpen}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onOpen();
          }
        }}
      >
        <td className={styles.chevron}>
          <Icon name={highlighted ? 'angle-down' : 'angle-right'} />
        </td>
        <td title={`${job.source} state: ${job.nativeState}`}>
          <StateBadge state={job.state} />
        </td>
        <td className={styles.name}>{job.name}</td>
        {sourceLabel !== null && (
          <td data-testid={TEST_IDS.jobSource} data-source={job.source}>
            {sourceLabel}
          </td>
        )}
        <td>
          {job.queue}
          {showPrefix && (
            <span className={cx(table.muted, styles.prefix)} data-testid={TEST_IDS.jobQueuePrefix}>
              {job.source === 'bullmq' ? job.prefix : `${job.source} · ${job.prefix}`}
            </span>
          )}
        </td>
        <td className={table.mono}>{job.id}</td>
        <td>
          <TimeCell iso={job.createdAt} ms={job.createdAtMs} />
        </td>
        <td>
          <TimeCell iso={job.startedAt} ms={job.startedAtMs} />
        </td>
        <td>
          <TimeCell iso={job.finishedAt} ms={job.finishedAtMs} />
        </td>
        <td>{formatDuration(job.durationMs)}</td>
        <td>
          <ProgressBar progress={job.progress} />
        </td>
        <td>{job.attemptsMade}</td>
        <td className={table.mono}>{job.worker ?? '—'}</td>
        <td className={styles.actions}>
          <span className={styles.actionButtons}>
            <WatchToggle job={job} name={job.name} state={job.state} />
            <JobActionsMenu job={job} permission={canWrite} capabilities={capabilities} />
          </span>
        </td>
      </tr>
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  row: css({
    cursor: 'pointer',
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: -2 },
  }),
  highlighted: css({
    background: theme.colors.action.selected,
    boxShadow: `inset 3px 0 0 ${theme.colors.primary.main}`,
  }),
  actions: css({ width: theme.spacing(9), textAlign: 'right' }),
  actionButtons: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(1) }),
  chevron: css({ width: theme.spacing(3), color: theme.colors.text.secondary }),
  name: css({ fontWeight: theme.typography.fontWeightMedium }),
  prefix: css({ marginLeft: theme.spacing(1) }),
});
