import React, { useCallback, useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Button, Combobox, type ComboboxOption, Icon, Input, MultiSelect, useStyles2 } from '@grafana/ui';
import { JOB_STATES } from '@jobscope/contract';
import {
  statusFilterOf,
  type FilterChange,
  type FilterChangeOptions,
  type JobsFilter,
} from '../../hooks/useJobsFilter';
import type { JobsStatus } from '../../hooks/useJobsStatus';
import { formatAbsolute, parseTimeInput, timeParamMs } from '../../utils/format';
import { TEST_IDS } from '../testIds';
import { ExportMenu } from './ExportMenu';
import type { NamedSource } from '../../utils/jobActions';

/** How long the search box waits after the last keystroke before it searches. */
export const SEARCH_DEBOUNCE_MS = 300;

interface Props {
  filter: JobsFilter;
  queues: string[];
  onFilterChange: (change: FilterChange, options?: FilterChangeOptions) => void;
  paused: boolean;
  onTogglePause: () => void;
  onRefresh: () => void;
  refreshing: boolean;
  updatedText: string | null;
  stale: boolean;
  canRun: boolean;
  onRunJob: () => void;
  /** How the table follows the service (the live indicator); nothing shown when `off`. */
  mode?: JobsStatus['mode'];
  /** The sources to filter by: the Source filter shows when there are several (or one is chosen). */
  sources?: NamedSource[];
  /** The Source filter (`&source=`); it narrows the listed jobs. */
  source?: string;
  onSourceChange?: (source: string | null) => void;
}

const MODE_TEXT: Record<Exclude<JobsStatus['mode'], 'off'>, { text: string; title: string }> = {
  live: { text: 'Live', title: 'The service pushes every change as it happens' },
  polling: { text: 'Polling every 2 s', title: 'The live stream is not available: the list is read every 2 s' },
  paused: { text: 'Paused', title: 'Automatic updates are paused' },
};

/** "Live" or "Polling every 2 s" (or "Paused"), with `data-mode`. */
function LiveIndicator({ mode }: { mode: JobsStatus['mode'] }) {
  const styles = useStyles2(getStyles);
  if (mode === 'off') {
    return null;
  }
  const { text, title } = MODE_TEXT[mode];
  return (
    <span className={styles.mode} data-testid={TEST_IDS.jobsLiveIndicator} data-mode={mode} title={title}>
      <span className={mode === 'live' ? styles.dotLive : styles.dot} aria-hidden />
      {text}
    </span>
  );
}

const STATE_OPTIONS: Array<ComboboxOption<string>> = JOB_STATES.map((s) => ({ label: s, value: s }));

/** A text field whose value is applied on Enter or when it loses focus; it follows the URL when that changes. */
function CommitInput({
  value,
  onCommit,
  format = (v) => v,
  validate,
  ...rest
}: {
  value: string;
  onCommit: (text: string) => void;
  format?: (v: string) => string;
  validate?: (text: string) => boolean;
  placeholder: string;
  width: number;
  'aria-label': string;
  'data-testid': string;
  prefix?: React.ReactNode;
  title?: string;
}) {
  const shown = format(value);
  const [text, setText] = useState(shown);
  const [synced, setSynced] = useState(shown);
  if (synced !== shown) {
    setSynced(shown);
    setText(shown);
  }
  const invalid = validate !== undefined && text.trim() !== '' && !validate(text);
  const commit = () => {
    if (!invalid && text.trim() !== shown.trim()) {
      onCommit(text.trim());
    }
  };
  return (
    <Input
      {...rest}
      value={text}
      invalid={invalid}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          commit();
        }
      }}
    />
  );
}

/** The search box: writes `q` to the URL 300 ms after the last keystroke (replacing the history entry). */
function SearchInput({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(q);
  const [synced, setSynced] = useState(q);
  if (synced !== q) {
    setSynced(q);
    setText(q);
  }
  useEffect(() => {
    if (text.trim() === q) {
      return undefined;
    }
    const id = setTimeout(() => onSearch(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(id);
  }, [text, q, onSearch]);
  return (
    <Input
      data-testid={TEST_IDS.jobsSearchInput}
      aria-label="Search jobs"
      placeholder="Search by id, name, data, result or error"
      prefix={<Icon name="search" />}
      width={40}
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
    />
  );
}

/** The From and To inputs: the filter key each sets, and the relative time its hint offers. */
const TIME_BOUNDS = [
  { key: 'from', label: 'From', testId: TEST_IDS.jobsFrom, example: 'now-1h' },
  { key: 'to', label: 'To', testId: TEST_IDS.jobsTo, example: 'now' },
] as const;

function timeText(value: string): string {
  const ms = timeParamMs(value);
  return ms === null ? value : formatAbsolute(ms);
}

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
    mode = 'off',
    sources = [],
    source,
    onSourceChange,
  } = props;
  const styles = useStyles2(getStyles);
  // Keep queues from the URL selectable even when the service does not list them (yet).
  const queueNames = [...filter.queues.filter((q) => !queues.includes(q)), ...queues];
  const queueOptions: Array<SelectableValue<string>> = queueNames.map((q) => ({ label: q, value: q }));
  const searching = filter.q !== undefined;
  // Keep a source from the URL selectable even when the service does not list it.
  const sourceOptions: Array<ComboboxOption<string>> = [
    ...sources.map((s) => ({ label: s.label, value: s.id })),
    ...(source !== undefined && !sources.some((s) => s.id === source) ? [{ label: source, value: source }] : []),
  ];
  const showSources = onSourceChange !== undefined && (sources.length > 1 || source !== undefined);
  const onSearch = useCallback(
    (q: string) => onFilterChange({ q: q === '' ? null : q, job: null }, { replace: true }),
    [onFilterChange]
  );
  const setTime = (key: 'from' | 'to') => (text: string) => {
    const ms = text === '' ? null : parseTimeInput(text);
    onFilterChange({ [key]: ms === null ? null : String(ms), job: null });
  };

  return (
    <div className={styles.column}>
      <div className={styles.bar}>
        <SearchInput q={filter.q ?? ''} onSearch={onSearch} />
        <div data-testid={TEST_IDS.jobsQueueMultiselect}>
          {/* Grafana's MultiSelect, as the design asks; MultiCombobox can replace it once it is the standard. */}
          {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
          <MultiSelect<string>
            inputId="jobs-filter-queues"
            aria-label="Filter by queue"
            placeholder="All queues"
            width={36}
            options={queueOptions}
            value={filter.queues}
            isClearable
            onChange={(selected: Array<SelectableValue<string>>) => {
              const names = selected.map((s) => s.value).filter((v): v is string => !!v);
              onFilterChange({ queue: names.length > 0 ? names.join(',') : null, job: null });
            }}
          />
        </div>
        {/* No <label>: the Run job modal owns the field labelled "Queue"; these are named by aria-label only. */}
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
        {showSources && (
          <div data-testid={TEST_IDS.jobsSourceFilter}>
            <Combobox
              id="jobs-filter-source"
              aria-label="Filter by source"
              placeholder="All sources"
              width={24}
              options={sourceOptions}
              value={source ?? null}
              isClearable
              onChange={(o) => onSourceChange(o?.value ?? null)}
            />
          </div>
        )}
      </div>
      <div className={styles.bar}>
        <CommitInput
          data-testid={TEST_IDS.jobsNameInput}
          aria-label="Filter by exact job name"
          placeholder={searching ? 'Name (not used by search)' : 'Exact job name'}
          width={28}
          value={filter.name ?? ''}
          onCommit={(text) => onFilterChange({ name: text === '' ? null : text, job: null })}
        />
        {TIME_BOUNDS.map(({ key, label, testId, example }) => (
          <CommitInput
            key={key}
            data-testid={testId}
            aria-label={label}
            title={`${label}: YYYY-MM-DD HH:mm:ss in your time zone, ISO time, epoch ms, or ${example}`}
            prefix={<span className={styles.prefix}>{label}</span>}
            placeholder={`YYYY-MM-DD HH:mm:ss or ${example}`}
            width={34}
            value={filter[key] ?? ''}
            format={timeText}
            validate={(t) => parseTimeInput(t) !== null}
            onCommit={setTime(key)}
          />
        ))}
        <div className={styles.spacer} />
        <LiveIndicator mode={mode} />
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
        <ExportMenu filter={statusFilterOf(filter)} searching={searching} />
        {canRun && (
          <Button icon="plus" onClick={onRunJob}>
            Run job
          </Button>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  column: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  bar: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  }),
  prefix: css({ color: theme.colors.text.secondary }),
  mode: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  dot: css({
    width: 8,
    height: 8,
    borderRadius: '50%',
    background: theme.colors.text.disabled,
  }),
  dotLive: css({
    width: 8,
    height: 8,
    borderRadius: '50%',
    background: theme.colors.success.main,
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
