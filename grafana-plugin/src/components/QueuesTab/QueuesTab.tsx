import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, EmptyState, LoadingPlaceholder, TextLink, useStyles2 } from '@grafana/ui';
import { JOB_STATES, jobsTabUrl, type QueueSummary } from '@jobscope/contract';
import { useStatusSnapshot } from '../../hooks/useStatusSnapshot';
import { describeOutage, StatusBanner } from '../JobsTab/StatusBanner';
import { StateBadge } from '../JobsTab/StateBadge';

/** Per-queue counts by state, paused flag and workers; each queue and count links to the filtered Jobs tab. */
export function QueuesTab() {
  const styles = useStyles2(getStyles);
  const { data, error, loading, reload } = useStatusSnapshot();
  const queues = [...(data?.queues ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <div>
      <div className={styles.bar}>
        <Button variant="secondary" icon={loading ? 'spinner' : 'sync'} onClick={reload}>
          Refresh
        </Button>
      </div>
      <StatusBanner outage={describeOutage(data, error)} />
      {loading && !data && !error && <LoadingPlaceholder text="Loading queues…" />}
      {data && queues.length === 0 && (
        <EmptyState variant="not-found" message="No queues found">
          The service found no BullMQ queues under its configured prefixes.
        </EmptyState>
      )}
      {queues.length > 0 && (
        <div className={styles.scroll}>
          <table className={styles.table}>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                {JOB_STATES.map((s) => (
                  <th scope="col" key={s}>
                    <StateBadge state={s} />
                  </th>
                ))}
                <th scope="col">Status</th>
                <th scope="col">Workers</th>
                <th scope="col">BullMQ</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <QueueRow key={`${q.prefix}:${q.name}`} queue={q} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function QueueRow({ queue }: { queue: QueueSummary }) {
  const styles = useStyles2(getStyles);
  return (
    <tr data-testid="queue-row" data-queue={queue.name}>
      <td>
        <TextLink href={jobsTabUrl({ queue: queue.name })} inline={false} weight="medium">
          {queue.name}
        </TextLink>
        <div className={styles.muted}>prefix {queue.prefix}</div>
      </td>
      {JOB_STATES.map((s) => (
        <td key={s} className={styles.count}>
          {queue.counts[s] > 0 ? (
            <TextLink
              href={jobsTabUrl({ queue: queue.name, state: s })}
              inline={false}
              aria-label={`${queue.name} ${s} jobs`}
            >
              {String(queue.counts[s])}
            </TextLink>
          ) : (
            <span className={styles.muted}>0</span>
          )}
        </td>
      ))}
      <td>
        {queue.paused ? <Badge color="orange" text="paused" icon="pause" /> : <Badge color="green" text="running" />}
      </td>
      <td>
        {queue.workers === 'unknown' ? (
          <span className={styles.muted} title="The Redis server does not allow CLIENT LIST">
            unknown
          </span>
        ) : queue.workers === 0 ? (
          <Badge color="red" text="no workers" icon="exclamation-triangle" />
        ) : (
          queue.workers
        )}
      </td>
      <td className={styles.muted}>{queue.version ?? '—'}</td>
    </tr>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', justifyContent: 'flex-end', marginBottom: theme.spacing(2) }),
  scroll: css({ overflowX: 'auto' }),
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': {
      padding: theme.spacing(0.75, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      textAlign: 'left',
      whiteSpace: 'nowrap',
      verticalAlign: 'middle',
    },
    th: {
      background: theme.colors.background.secondary,
      color: theme.colors.text.secondary,
      fontWeight: theme.typography.fontWeightMedium,
    },
  }),
  count: css({ fontVariantNumeric: 'tabular-nums' }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
