import React from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, IconButton, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { AuditEntry } from '@jobscope/contract';
import { RECENT_ACTIONS_LIMIT, useAuditTrail } from '../../hooks/useAuditTrail';
import { TimeCell } from '../JobsTab/TimeCell';
import { getTableStyles } from '../tableStyles';
import { TEST_IDS } from '../testIds';

const OUTCOME_COLOR = { ok: 'green', rejected: 'orange', error: 'red' } as const;

/**
 * The newest writes through the service (the audit trail, newest first): who did what to which job or queue, and how
 * it ended. Fetched on mount and again after every action (the actions invalidate it); no timer.
 */
export function RecentActions({ limit = RECENT_ACTIONS_LIMIT }: { limit?: number }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const audit = useAuditTrail(limit);
  const entries = audit.data ?? [];

  return (
    <section className={styles.section} data-testid={TEST_IDS.recentActions} aria-labelledby="jobscope-recent-actions">
      <div className={styles.header}>
        <h4 id="jobscope-recent-actions" className={styles.title}>
          Recent actions
        </h4>
        <IconButton
          name={audit.isFetching ? 'spinner' : 'sync'}
          aria-label="Reload recent actions"
          onClick={() => void audit.refetch({ cancelRefetch: false })}
        />
      </div>
      {audit.isPending && !audit.error && <LoadingPlaceholder text="Loading recent actions…" />}
      {audit.error && (
        <div className={table.muted} data-testid={TEST_IDS.recentActionsError}>
          Recent actions are not available: {audit.error.message}
        </div>
      )}
      {audit.data && entries.length === 0 && (
        <div className={table.muted} data-testid={TEST_IDS.recentActionsEmpty}>
          No actions yet. Enqueueing, retrying, removing jobs and queue actions show up here.
        </div>
      )}
      {entries.length > 0 && (
        <div className={table.scroll}>
          <table className={cx(table.table, audit.error && styles.stale)}>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, i) => (
                <AuditRow key={`${entry.time}-${i}`} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const table = useStyles2(getTableStyles);
  const ms = Date.parse(entry.time);
  return (
    <tr
      data-testid={TEST_IDS.recentActionRow}
      data-action={entry.action}
      data-target={entry.target}
      data-outcome={entry.outcome}
    >
      <td>
        <TimeCell iso={Number.isNaN(ms) ? null : entry.time} ms={Number.isNaN(ms) ? null : ms} />
      </td>
      <td>
        {entry.user}
        {entry.role && <span className={table.muted}> ({entry.role})</span>}
      </td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td className={table.mono}>{entry.target}</td>
      <td title={entry.detail ?? undefined}>
        <Badge color={OUTCOME_COLOR[entry.outcome]} text={`${entry.outcome} · ${entry.status}`} />
        {entry.detail && entry.outcome !== 'ok' && <div className={table.muted}>{entry.detail}</div>}
      </td>
    </tr>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(4) }),
  header: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), marginBottom: theme.spacing(1) }),
  title: css({ margin: 0 }),
  stale: css({ opacity: 0.6 }),
});
