import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, EmptyState, FilterInput, LoadingPlaceholder, Pagination, TextLink, useStyles2 } from '@grafana/ui';
import { JOB_STATES, jobsTabUrl, type QueueSummary } from '@jobscope/contract';
import { usePermissions, type Permission } from '../../hooks/usePermissions';
import { useStatusSnapshot } from '../../hooks/useStatusSnapshot';
import { listedSources, sourceCapabilities, type SourceCapabilities } from '../../utils/jobActions';
import { ambiguousQueueNames } from '../../utils/queues';
import { describeOutage, StatusBanner } from '../JobsTab/StatusBanner';
import { StateBadge } from '../JobsTab/StateBadge';
import { getTableStyles } from '../tableStyles';
import { RecentActions } from '../RecentActions/RecentActions';
import { TEST_IDS } from '../testIds';
import { QueueActions } from './QueueActions';
import { useQueuePage } from './useQueuePage';

/** Per-queue counts by state, paused flag and workers; each queue and count links to the filtered Jobs tab. */
export function QueuesTab() {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const { data, error, loading, reload } = useStatusSnapshot();
  const permissions = usePermissions();
  const queues = [...(data?.queues ?? [])].sort(
    (a, b) => a.name.localeCompare(b.name) || a.prefix.localeCompare(b.prefix) || a.source.localeCompare(b.source)
  );
  const ambiguous = ambiguousQueueNames(queues);
  const sources = listedSources(data);
  const labels = new Map(sources.map((s) => [s.id, s.label]));
  const capabilities = sourceCapabilities(data?.sources);
  const paged = useQueuePage(queues);

  return (
    <div>
      <div className={styles.bar}>
        {queues.length > 0 && (
          <div className={styles.filter} data-testid={TEST_IDS.queuesFilter}>
            <FilterInput placeholder="Filter queues by name" value={paged.filter} onChange={paged.setFilter} escapeRegex={false} width={40} />
          </div>
        )}
        <Button variant="secondary" icon={loading ? 'spinner' : 'sync'} onClick={reload}>
          Refresh
        </Button>
      </div>
      <StatusBanner outage={describeOutage(data, error)} />
      {loading && !data && !error && <LoadingPlaceholder text="Loading queues…" />}
      {data && queues.length === 0 && (
        <EmptyState variant="not-found" message="No queues found">
          The service found no queues in its sources.
        </EmptyState>
      )}
      {queues.length > 0 && paged.matching === 0 && (
        <EmptyState variant="not-found" message="No queue matches the filter">
          No queue name or prefix contains “{paged.filter.trim()}”.
        </EmptyState>
      )}
      {paged.matching > 0 && (
        <div className={table.scroll}>
          <table className={table.table}>
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
                <th scope="col">Version</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {paged.rows.map((q) => (
                <QueueRow
                  key={[q.source, q.prefix, q.name].map(encodeURIComponent).join(':')}
                  queue={q}
                  shared={ambiguous.has(q.name)}
                  showSource={sources.length > 1}
                  sourceName={labels.get(q.source) ?? q.source}
                  canWrite={permissions.queuesWrite}
                  capabilities={capabilities}
                />
              ))}
            </tbody>
          </table>
          <div className={styles.footer}>
            <span className={table.muted} data-testid={TEST_IDS.queuesShowing}>
              showing {paged.from.toLocaleString()}–{paged.to.toLocaleString()} of {paged.matching.toLocaleString()}{' '}
              {paged.matching === 1 ? 'queue' : 'queues'}
              {paged.matching < queues.length ? ` (${queues.length.toLocaleString()} in all)` : ''}
            </span>
            {paged.pages > 1 && (
              <Pagination currentPage={paged.page} numberOfPages={paged.pages} onNavigate={paged.setPage} hideWhenSinglePage />
            )}
          </div>
        </div>
      )}
      <RecentActions />
    </div>
  );
}

interface QueueRowProps {
  queue: QueueSummary;
  /** Another queue of this name is listed (under another prefix or source). */
  shared: boolean;
  showSource: boolean;
  /** The source's label (e.g. Celery), shown with `showSource`. */
  sourceName: string;
  /** queues:write, for the row's actions. */
  canWrite: Permission;
  /** What each source can do: the row shows only the actions its source supports. */
  capabilities: SourceCapabilities;
}

function QueueRow({ queue, shared, showSource, sourceName, canWrite, capabilities }: QueueRowProps) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  return (
    <tr
      data-testid={TEST_IDS.queueRow}
      data-queue={queue.name}
      data-prefix={queue.prefix}
      data-source={queue.source}
      data-shared-name={shared ? 'true' : undefined}
    >
      <td>
        <TextLink href={jobsTabUrl({ queue: queue.name })} inline={false} weight="medium">
          {queue.name}
        </TextLink>
        <div className={cx(table.muted, shared && styles.shared)}>
          {showSource ? `${sourceName} · ` : ''}prefix {queue.prefix}
          {shared && ' (another queue has this name)'}
        </div>
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
            <span className={table.muted}>0</span>
          )}
        </td>
      ))}
      <td>
        {queue.paused ? <Badge color="orange" text="paused" icon="pause" /> : <Badge color="green" text="running" />}
        {queue.stale && (
          // A Redis Cluster master holding this queue did not answer: the counts are from the last good read.
          <Badge color="orange" text="stale" icon="clock-nine" tooltip={queue.staleReason} />
        )}
      </td>
      <td>
        {queue.workers === 'unknown' ? (
          <span className={table.muted} title="The Redis server does not allow CLIENT LIST">
            unknown
          </span>
        ) : queue.workers === 0 ? (
          <Badge color="red" text="no workers" icon="exclamation-triangle" />
        ) : (
          queue.workers
        )}
      </td>
      <td className={table.muted}>{queue.version ?? '—'}</td>
      <td>
        <QueueActions queue={queue} permission={canWrite} capabilities={capabilities} />
      </td>
    </tr>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({ display: 'flex', justifyContent: 'flex-end', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  filter: css({ marginRight: 'auto' }),
  footer: css({ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginTop: theme.spacing(1) }),
  count: css({ fontVariantNumeric: 'tabular-nums' }),
  shared: css({ color: theme.colors.warning.text }),
});
