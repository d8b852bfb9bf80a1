import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, Drawer, LoadingPlaceholder, Stack, Tab, TabContent, TabsBar, useStyles2 } from '@grafana/ui';
import { jobKey, type JobRef, type JobSummary } from '@jobscope/contract';
import { isJobNotFound } from '../../api/client';
import { useJobDetail } from '../../hooks/useJobDetail';
import { TEST_IDS } from '../testIds';
import { StateBadge } from '../JobsTab/StateBadge';
import { WatchToggle } from '../Watch/WatchToggle';
import { JobActionsMenu } from '../JobsTab/JobActionsMenu';
import { usePermissions } from '../../hooks/usePermissions';
import type { SourceCapabilities } from '../../utils/jobActions';
import { ErrorTab, FlowTab, LogsTab, OverviewTab, ValueTab } from './JobDrawerTabs';

export const DRAWER_TABS = [
  ['overview', 'Overview'],
  ['data', 'Data'],
  ['result', 'Result'],
  ['error', 'Error'],
  ['logs', 'Logs'],
  ['flow', 'Flow'],
] as const;
export type DrawerTab = (typeof DRAWER_TABS)[number][0];

const TAB_TEST_IDS: Record<DrawerTab, string> = {
  overview: TEST_IDS.jobDrawerTabOverview,
  data: TEST_IDS.jobDrawerTabData,
  result: TEST_IDS.jobDrawerTabResult,
  error: TEST_IDS.jobDrawerTabError,
  logs: TEST_IDS.jobDrawerTabLogs,
  flow: TEST_IDS.jobDrawerTabFlow,
};

interface Props {
  job: JobRef;
  /** The job's row when the list has it: shown while the detail loads or when it cannot be read. */
  summary: JobSummary | null;
  /** The Jobs tab's Pause: a paused tab does not refresh the drawer either. */
  paused: boolean;
  onClose: () => void;
  /** Opens another job's drawer (a parent or child in the Flow tab). */
  onOpenJob: (key: string) => void;
  /** What each source can do (the status reply's `sources`): the menu lists only what the job's source supports. */
  capabilities?: SourceCapabilities;
}

/**
 * One job in a Grafana Drawer with Overview, Data, Result, Error, Logs and Flow tabs. The page keys it by job key, so
 * opening another job starts again on Overview.
 */
export function JobDrawer({ job, summary, paused, onClose, onOpenJob, capabilities = null }: Props) {
  const styles = useStyles2(getStyles);
  const [tab, setTab] = useState<DrawerTab>('overview');
  const detail = useJobDetail(job, paused);
  const data = detail.data ?? null;
  const gone = isJobNotFound(detail.error);
  const shown = data ?? summary;
  const permissions = usePermissions();
  const title = shown ? `${shown.name} #${job.id}` : `Job ${job.id}`;

  const tabs = (
    <TabsBar>
      {DRAWER_TABS.map(([id, label]) => (
        <Tab
          key={id}
          label={label}
          active={tab === id}
          onChangeTab={() => setTab(id)}
          data-testid={TAB_TEST_IDS[id]}
          counter={
            id === 'logs' && data ? data.logCount : id === 'error' && data ? data.stacktrace.length || null : null
          }
          disabled={gone}
        />
      ))}
    </TabsBar>
  );

  return (
    <Drawer
      title={title}
      subtitle={
        <Stack gap={1} alignItems="center">
          {shown && <StateBadge state={shown.state} />}
          <span>
            queue {job.queue} · prefix {job.prefix} · {job.source}
          </span>
        </Stack>
      }
      size="lg"
      onClose={onClose}
      tabs={tabs}
    >
      <div data-testid={TEST_IDS.jobDrawer} data-job-key={jobKey(job)} className={styles.body}>
        <div className={styles.topRow}>
          {detail.isFetching && data !== null && <span className={styles.muted}>refreshing…</span>}
          {!gone && <WatchToggle job={job} name={shown?.name ?? `job ${job.id}`} state={shown?.state ?? null} />}
          {!gone && shown && (
            <JobActionsMenu job={shown} permission={permissions.jobsWrite} capabilities={capabilities} />
          )}
          <Button
            size="sm"
            variant="secondary"
            icon="times"
            onClick={onClose}
            data-testid={TEST_IDS.jobDrawerClose}
            aria-label="Close job drawer"
          >
            Close
          </Button>
        </div>
        {gone ? (
          <div data-testid={TEST_IDS.jobDrawerNotFound}>
            <Alert severity="info" title="This job no longer exists">
              Job {job.id} of queue {job.queue} (prefix {job.prefix}, {job.source}) was removed, or it was cleaned up
              after it finished.
            </Alert>
          </div>
        ) : (
          <>
            {detail.error && (
              <div data-testid={TEST_IDS.jobDrawerError}>
                <Alert severity="warning" title="Could not read this job">
                  {detail.error.message}
                  {data !== null && ' Showing the last detail read.'}
                </Alert>
              </div>
            )}
            {data === null && detail.isPending && <LoadingPlaceholder text="Loading job…" />}
            <TabContent>
              {tab === 'overview' && (data !== null || summary !== null) && (
                <OverviewTab detail={data} summary={summary} />
              )}
              {tab === 'data' && data !== null && (
                <ValueTab label="data" value={data.data} testId={TEST_IDS.jobDataValue} empty="This job has no data." />
              )}
              {tab === 'result' && data !== null && (
                <ValueTab
                  label="return value"
                  value={data.returnValue}
                  testId={TEST_IDS.jobResultValue}
                  empty={data.state === 'SUCCESS' ? 'The job returned nothing.' : 'No result yet.'}
                />
              )}
              {tab === 'error' && data !== null && <ErrorTab detail={data} />}
              {tab === 'logs' && data !== null && <LogsTab job={job} logCount={data.logCount} />}
              {tab === 'flow' && data !== null && <FlowTab detail={data} onOpenJob={onOpenJob} />}
            </TabContent>
          </>
        )}
      </div>
    </Drawer>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  body: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  topRow: css({ display: 'flex', justifyContent: 'flex-end', alignItems: 'center', gap: theme.spacing(1) }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
