import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Combobox, type ComboboxOption, useStyles2 } from '@grafana/ui';
import { JOB_STATES } from '@jobscope/contract';
import type { JobsFilter } from '../../hooks/useJobsFilter';
import { TEST_IDS } from '../testIds';

interface Props {
  filter: JobsFilter;
  queues: string[];
  onFilterChange: (change: Partial<Record<'queue' | 'state' | 'job', string | null>>) => void;
  paused: boolean;
  onTogglePause: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  updatedText: string | null;
  stale: boolean;
  canRun: boolean;
  onRunJob: () => void;
}

const STATE_OPTIONS: Array<ComboboxOption<string>> = JOB_STATES.map((s) => ({ label: s, value: s }));

export function JobsToolbar(props: Props) {
  const {
    filter,
    queues,
    onFilterChange,
    paused,
    onTogglePause,
    onRefresh,
    refreshing,
    updatedText,
    stale,
    canRun,
    onRunJob,
  } = props;
  const styles = useStyles2(getStyles);
  // Keep a queue from the URL selectable even when the service does not list it (yet).
  const queueNames = filter.queue && !queues.includes(filter.queue) ? [filter.queue, ...queues] : queues;
  const queueOptions = queueNames.map((q) => ({ label: q, value: q }));

  return (
    <div className={styles.bar}>
      {/* No <label>: the Run job modal owns the field labelled "Queue"; these are named by aria-label only. */}
      <Combobox
        id="jobs-filter-queue"
        aria-label="Filter by queue"
        placeholder="All queues"
        prefixIcon="filter"
        width={24}
        options={queueOptions}
        value={filter.queue ?? null}
        isClearable
        onChange={(o) => onFilterChange({ queue: o?.value ?? null, job: null })}
      />
      <Combobox
        id="jobs-filter-state"
        aria-label="Filter by state"
        placeholder="All states"
        width={24}
        options={STATE_OPTIONS}
        value={filter.state ?? null}
        isClearable
        onChange={(o) => onFilterChange({ state: o?.value ?? null, job: null })}
      />
      <div className={styles.spacer} />
      {updatedText && (
        <span className={styles.updated} data-testid={TEST_IDS.jobsUpdated}>
          {updatedText}
        </span>
      )}
      {stale && (
        <span
          className={styles.stale}
          data-testid={TEST_IDS.jobsStale}
          title="The data shown is from the last successful poll"
        >
          stale
        </span>
      )}
      <Button variant="secondary" icon={paused ? 'play' : 'pause'} onClick={onTogglePause} aria-pressed={paused}>
        {paused ? 'Resume' : 'Pause'}
      </Button>
      <Button variant="secondary" icon={refreshing ? 'spinner' : 'sync'} onClick={onRefresh}>
        Refresh
      </Button>
      {canRun && (
        <Button icon="plus" onClick={onRunJob}>
          Run job
        </Button>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  spacer: css({ flex: 1 }),
  updated: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  stale: css({
    color: theme.colors.warning.text,
    border: `1px solid ${theme.colors.warning.border}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.5),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
