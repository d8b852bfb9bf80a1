import React, { useCallback, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, EmptyState, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { parseJobKey, sameJob, STATUS_FILTER_WINDOW, type JobSummary } from '@jobscope/contract';
import { JOBS_LIMIT } from '../../api/statusQueries';
import { useDocumentVisible } from '../../hooks/useDocumentVisible';
import { useJobWatcher } from '../../hooks/useJobWatcher';
import { statusFilterOf, useJobsFilter } from '../../hooks/useJobsFilter';
import { useJobsSearch } from '../../hooks/useJobsSearch';
import { useJobsStatus } from '../../hooks/useJobsStatus';
import { useMorePages } from '../../hooks/useMorePages';
import { usePermissions } from '../../hooks/usePermissions';
import { listedSources, mixesSources, sourceCapabilities } from '../../utils/jobActions';
import { ambiguousQueueNames, queueNames } from '../../utils/queues';
import { formatCount, showingText, totalInScope } from '../../utils/showing';
import { TEST_IDS } from '../testIds';
import { JobDrawer } from '../JobDrawer/JobDrawer';
import { RunJobModal } from '../RunJobModal/RunJobModal';
import { canEnqueueAnywhere, runnableQueueNames } from '../RunJobModal/runnableQueues';
import { WatchToasts } from '../Watch/WatchToasts';
import { JobsTable } from './JobsTable';
import { JobsToolbar } from './JobsToolbar';
import { describeOutage, StatusBanner } from './StatusBanner';
import { useSourceFilter } from './useSourceFilter';

/** The jobs of `source` (all when no Source filter is set). */
function ofSource(jobs: JobSummary[], source: string | undefined): JobSummary[] {
  return source === undefined ? jobs : jobs.filter((j) => j.source === source);
}

/** The Jobs tab: mounted only while the tab is active, so leaving the tab stops its single timer. */
export function JobsTab() {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useJobsFilter();
  const [source, setSource] = useSourceFilter();
  const [paused, setPaused] = useState(false);
  const [runOpen, setRunOpen] = useState(false);
  const permissions = usePermissions();
  const statusFilter = useMemo(() => ({ ...statusFilterOf(filter), limit: JOBS_LIMIT }), [filter]);
  const status = useJobsStatus({ ...statusFilter, enabled: true, paused });
  const { data, error, updatedAt, now } = status;
  const more = useMorePages(statusFilter, data);
  const searching = filter.q !== undefined;
  const search = useJobsSearch(
    filter.q === undefined ? null : { q: filter.q, queue: statusFilter.queue, state: filter.state }
  );

  const outage = describeOutage(data, error);
  const stale = data !== null && outage !== null;
  const queues = useMemo(() => queueNames(data?.queues ?? []), [data]);
  const capabilities = useMemo(() => sourceCapabilities(data?.sources), [data]);
  const runQueues = useMemo(() => runnableQueueNames(data?.queues ?? [], capabilities), [data, capabilities]);
  const unfiltered: JobSummary[] | null = searching ? (search.data?.jobs ?? null) : data === null ? null : more.jobs;
  // The Source filter narrows what the service listed (the status route takes no source).
  const rows = useMemo(() => (unfiltered === null ? null : ofSource(unfiltered, source)), [unfiltered, source]);
  const listed = useMemo(() => listedSources(data, unfiltered ?? []), [data, unfiltered]);
  const sourceLabels = useMemo(
    () => (mixesSources(listed, unfiltered ?? []) ? new Map(listed.map((s) => [s.id, s.label])) : null),
    [listed, unfiltered]
  );
  const shownJobs = ofSource(more.jobs, source);
  const ambiguous = useMemo(
    () => ambiguousQueueNames([...(data?.queues ?? []), ...(rows ?? []).map((j) => ({ ...j, name: j.queue }))]),
    [data, rows]
  );
  // Live, the service pushes only changes: the age is that of the last change, not a sign of a stalled poll.
  const age = updatedAt === null ? null : Math.max(0, Math.floor((now - updatedAt) / 1000));
  const updatedText = age === null ? null : `${status.mode === 'live' ? 'last change' : 'updated'} ${age} s ago`;
  // `&job=` is a job key. Anything else (an old bare id, a broken link) matches no row: an id alone is unique per
  // queue only, so guessing could highlight another queue's job.
  const jobParam = filter.job === undefined ? null : parseJobKey(filter.job);
  const target = jobParam?.ok ? jobParam.ref : null;
  // Looked up before the Source filter: a linked job of another source still opens with its summary.
  const targetRow = target === null ? null : (unfiltered?.find((j) => sameJob(j, target)) ?? null);
  const targetMissing = target !== null && unfiltered !== null && targetRow === null && !searching;

  // Opening from a click pushes a history entry, so browser Back closes the drawer; closing replaces it.
  const openJob = useCallback((key: string) => setFilter({ job: key }), [setFilter]);
  const closeJob = useCallback(() => setFilter({ job: null }, { replace: true }), [setFilter]);

  // Watched jobs (bells, Run job): judged from this list while it follows the service, else by their detail.
  const visible = useDocumentVisible();
  const watcher = useJobWatcher({
    listed: data?.jobs ?? null,
    listedAt: updatedAt,
    listLive: visible && !paused,
    visible,
    openJob,
  });
  const refresh = () => {
    status.refresh();
    if (searching) {
      void search.refetch();
    }
  };

  const filtered =
    filter.queues.length > 0 || !!filter.state || !!filter.name || !!filter.from || !!filter.to || !!source;
  const scopeQueues = data === null ? [] : data.queues.filter((q) => source === undefined || q.source === source);
  const total = data === null ? 0 : totalInScope(scopeQueues, filter.queues, filter.state);

  return (
    <div>
      <JobsToolbar
        filter={filter}
        queues={queues}
        onFilterChange={setFilter}
        paused={paused}
        onTogglePause={() => setPaused((p) => !p)}
        onRefresh={refresh}
        refreshing={status.inFlight || search.isFetching}
        updatedText={updatedText}
        stale={stale}
        canRun={permissions.jobsWrite.allowed && canEnqueueAnywhere(capabilities)}
        onRunJob={() => setRunOpen(true)}
        mode={status.mode}
        sources={listed}
        source={source}
        onSourceChange={setSource}
      />
      <StatusBanner outage={outage} />
      {!searching && status.loading && data === null && !error && <LoadingPlaceholder text="Loading jobs…" />}
      {targetMissing && (
        <div data-testid={TEST_IDS.jobsJobNotice}>
          <Alert severity="info" title={`Job ${target.id} of queue ${target.queue} is not in the current list`}>
            It may have been removed, or it is beyond the newest jobs shown for this filter ({target.source}, prefix{' '}
            {target.prefix}).
          </Alert>
        </div>
      )}
      {jobParam !== null && !jobParam.ok && (
        <div data-testid={TEST_IDS.jobsJobNotice}>
          <Alert severity="info" title="The job in this link cannot be found">
            {`"${filter.job}" is not a job key (source:prefix:queue:id): ${jobParam.error}.`}
          </Alert>
        </div>
      )}
      {searching && <SearchState search={search} />}
      {!searching && data !== null && data.complete === false && (
        <div data-testid={TEST_IDS.jobsIncomplete} className={styles.note}>
          {`The name or time filter read the newest ${formatCount(STATUS_FILTER_WINDOW)} jobs per queue and state and stopped there: older matches are not listed.`}
        </div>
      )}
      {!searching && data !== null && shownJobs.length === 0 && (
        <div data-testid={TEST_IDS.jobsEmpty} className={styles.empty}>
          <EmptyState variant="not-found" message={filtered ? 'No jobs match this filter' : 'No jobs yet'}>
            {filtered
              ? 'Clear the queue, state, source, name or time filter to see all jobs.'
              : 'Jobs appear here as soon as a producer adds them to a queue.'}
          </EmptyState>
        </div>
      )}
      {rows !== null && rows.length > 0 && (
        <JobsTable
          jobs={rows}
          highlighted={target}
          ambiguousQueues={ambiguous}
          stale={stale && !searching}
          canWrite={permissions.jobsWrite}
          onOpen={openJob}
          sourceLabels={sourceLabels}
          capabilities={capabilities}
        />
      )}
      {/* Kept while the Source filter hides every row of this page: Load more may still bring some. */}
      {!searching && data !== null && more.jobs.length > 0 && (
        <div className={styles.footer}>
          <span data-testid={TEST_IDS.jobsShowing} className={styles.note}>
            {showingText(shownJobs.length, total, filter.state)}
            {(filter.name || filter.from || filter.to) && ' (the total is before the name and time filters)'}
          </span>
          {more.nextCursor !== null && (
            <Button
              variant="secondary"
              size="sm"
              icon={more.loading ? 'spinner' : 'angle-down'}
              disabled={more.loading}
              onClick={more.loadMore}
              data-testid={TEST_IDS.jobsLoadMore}
            >
              Load more
            </Button>
          )}
          {more.error && <span className={styles.error}>{`Could not load more: ${more.error.message}`}</span>}
        </div>
      )}
      {target !== null && (
        <JobDrawer
          key={filter.job}
          job={target}
          summary={targetRow}
          paused={paused}
          onClose={closeJob}
          onOpenJob={openJob}
          capabilities={capabilities}
        />
      )}
      {runOpen && (
        <RunJobModal
          queues={runQueues}
          defaultQueue={filter.queues.find((q) => runQueues.includes(q))}
          onDismiss={() => setRunOpen(false)}
        />
      )}
      <WatchToasts toasts={watcher.toasts} visible={visible} onDismiss={watcher.dismiss} onOpen={openJob} />
    </div>
  );
}

function SearchState({ search }: { search: ReturnType<typeof useJobsSearch> }) {
  const styles = useStyles2(getStyles);
  if (search.error) {
    return (
      <div data-testid={TEST_IDS.searchError}>
        <Alert severity="warning" title="The search failed">
          {search.error.message}
        </Alert>
      </div>
    );
  }
  if (!search.data) {
    return <LoadingPlaceholder text="Searching…" />;
  }
  const { jobs, searched } = search.data;
  const scope = `the newest ${formatCount(searched.window)} per queue`;
  const read = `${formatCount(searched.jobs)} jobs read${searched.complete ? ', every job in scope' : ''}`;
  if (jobs.length === 0) {
    return (
      <div data-testid={TEST_IDS.searchEmpty} className={styles.empty}>
        <EmptyState variant="not-found" message={`No match in ${scope}`}>
          {`No job id, name, data, result or error matches "${search.data.q}" (${read}).`}
        </EmptyState>
      </div>
    );
  }
  return (
    <div data-testid={TEST_IDS.searchSummary} className={styles.note}>
      {`${formatCount(jobs.length)} found for "${search.data.q}" · searched ${scope} (${read})`}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css({ marginTop: theme.spacing(2) }),
  note: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginBottom: theme.spacing(1),
  }),
  footer: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2), marginTop: theme.spacing(1) }),
  error: css({ color: theme.colors.error.text, fontSize: theme.typography.bodySmall.fontSize }),
});
