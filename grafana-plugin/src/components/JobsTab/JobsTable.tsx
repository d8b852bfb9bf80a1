import React from 'react';
import { css, cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import { jobKey, sameJob, type JobRef, type JobSummary } from '@jobscope/contract';
import type { Permission } from '../../hooks/usePermissions';
import type { SourceCapabilities } from '../../utils/jobActions';
import { getTableStyles } from '../tableStyles';
import { jobColumns, JobRow } from './JobRow';

interface Props {
  jobs: JobSummary[];
  /** The job whose drawer is open (from `&job=<job key>`): highlighted. */
  highlighted: JobRef | null;
  /** Queue names listed under more than one prefix or source: their rows show the prefix. */
  ambiguousQueues: ReadonlySet<string>;
  stale: boolean;
  /** jobs:write: enables the rows' action menus. */
  canWrite: Permission;
  /** Opens the drawer of the job with this key. */
  onOpen: (key: string) => void;
  /** Label of each source by id when the table shows a Source column (the list mixes sources); null: no column. */
  sourceLabels?: ReadonlyMap<string, string> | null;
  /** What each source can do: row menus list only the actions a job's source supports. */
  capabilities?: SourceCapabilities;
}

/**
 * Jobs as the service sorted them (RUNNING first, SUCCESS last), keyed by job key (source, prefix, queue, id): ids are
 * unique per queue only, and two queues of one name under two prefixes are different queues. A click on a row opens
 * its job's drawer; the job whose drawer is open (`&job=`) is highlighted.
 */
export function JobsTable({
  jobs,
  highlighted: target,
  ambiguousQueues,
  stale,
  canWrite,
  onOpen,
  sourceLabels = null,
  capabilities = null,
}: Props) {
  const styles = useStyles2(getTableStyles);
  return (
    <div className={styles.scroll}>
      <table className={cx(styles.table, stale && staleStyle)}>
        <thead>
          <tr>
            {jobColumns(sourceLabels !== null).map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const key = jobKey(job);
            return (
              <JobRow
                key={key}
                job={job}
                showPrefix={ambiguousQueues.has(job.queue)}
                highlighted={target !== null && sameJob(job, target)}
                onOpen={() => onOpen(key)}
                canWrite={canWrite}
                sourceLabel={sourceLabels === null ? null : (sourceLabels.get(job.source) ?? job.source)}
                capabilities={capabilities}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const staleStyle = css({ opacity: 0.6 });
