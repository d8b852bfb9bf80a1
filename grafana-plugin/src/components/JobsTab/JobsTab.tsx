import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, EmptyState, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { parseJobKey, sameJob } from '@jobscope/contract';
import { useJobsFilter } from '../../hooks/useJobsFilter';
import { useJobsStatus } from '../../hooks/useJobsStatus';
import { usePermissions } from '../../hooks/usePermissions';
import { ambiguousQueueNames, queueNames } from '../../utils/queues';
import { TEST_IDS } from '../testIds';
import { RunJobModal } from '../RunJobModal/RunJobModal';
import { JobsTable } from './JobsTable';
import { JobsToolbar } from './JobsToolbar';
import { describeOutage, StatusBanner } from './StatusBanner';

/** The Jobs tab: mounted only while the tab is active, so leaving the tab stops its single timer. */
export function JobsTab() {
  const styles = useStyles2(getStyles);
  const [filter, setFilter] = useJobsFilter();
  const [paused, setPaused] = useState(false);
  const [runOpen, setRunOpen] = useState(false);
  const permissions = usePermissions();
  const status = useJobsStatus({ queue: filter.queue, state: filter.state, enabled: true, paused });
  const { data, error, updatedAt, now } = status;

  const outage = describeOutage(data, error);
  const stale = data !== null && outage !== null;
  const queues = useMemo(() => queueNames(data?.queues ?? []), [data]);
  const ambiguous = useMemo(
    () => ambiguousQueueNames([...(data?.queues ?? []), ...(data?.jobs ?? []).map((j) => ({ ...j, name: j.queue }))]),
    [data]
  );
  const updatedText = updatedAt === null ? null : `updated ${Math.max(0, Math.floor((now - updatedAt) / 1000))} s ago`;
  // `&job=` is a job key. Anything else (an old bare id, a broken link) matches no row: an id alone is unique per
  // queue only, so guessing could highlight another queue's job.
  const jobParam = filter.job === undefined ? null : parseJobKey(filter.job);
  const target = jobParam?.ok ? jobParam.ref : null;
  const targetMissing = target !== null && data !== null && !data.jobs.some((j) => sameJob(j, target));

  return (
    <div>
      <JobsToolbar
        filter={filter}
        queues={queues}
        onFilterChange={setFilter}
        paused={paused}
        onTogglePause={() => setPaused((p) => !p)}
        onRefresh={status.refresh}
        refreshing={status.inFlight}
        updatedText={updatedText}
        stale={stale}
        canRun={permissions.jobsWrite.allowed}
        onRunJob={() => setRunOpen(true)}
      />
      <StatusBanner outage={outage} />
      {status.loading && data === null && !error && <LoadingPlaceholder text="Loading jobs…" />}
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
      {data !== null && data.jobs.length === 0 && (
        <div data-testid={TEST_IDS.jobsEmpty} className={styles.empty}>
          <EmptyState
            variant="not-found"
            message={filter.queue || filter.state ? 'No jobs match this filter' : 'No jobs yet'}
          >
            {filter.queue || filter.state
              ? 'Clear the queue or state filter to see all jobs.'
              : 'Jobs appear here as soon as a producer adds them to a queue.'}
          </EmptyState>
        </div>
      )}
      {data !== null && data.jobs.length > 0 && (
        <JobsTable
          jobs={data.jobs}
          highlighted={target}
          ambiguousQueues={ambiguous}
          stale={stale}
          canWrite={permissions.jobsWrite}
        />
      )}
      {runOpen && <RunJobModal queues={queues} defaultQueue={filter.queue} onDismiss={() => setRunOpen(false)} />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css({ marginTop: theme.spacing(2) }),
});
