import React, { useCallback, useState } from 'react';
import { css, cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import { jobKey, sameJob, type JobRef, type JobSummary } from '@jobscope/contract';
import type { Permission } from '../../hooks/usePermissions';
import { getTableStyles } from '../tableStyles';
import { JOB_COLUMNS, JobRow } from './JobRow';

interface Props {
  jobs: JobSummary[];
  /** The job to highlight and open (from `&job=<job key>`). */
  highlighted: JobRef | null;
  /** Queue names listed under more than one prefix or source: their rows show the prefix. */
  ambiguousQueues: ReadonlySet<string>;
  stale: boolean;
  /** jobs:write: enables the rows' action menus. */
  canWrite: Permission;
}

/**
 * Jobs as the service sorted them (RUNNING first, SUCCESS last), keyed by job key (source, prefix, queue, id): ids are
 * unique per queue only, and two queues of one name under two prefixes are different queues. A click expands a row to
 * its result or traceback; the highlighted job starts expanded.
 */
export function JobsTable({ jobs, highlighted: target, ambiguousQueues, stale, canWrite }: Props) {
  const styles = useStyles2(getTableStyles);
  // Rows whose open state the user flipped; the highlighted row is open unless flipped.
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const toggle = useCallback((key: string) => {
    setToggled((prev) => {
      const next = new Set(prev);
      if (next.has(key)) {
        next.delete(key);
      } else {
        next.add(key);
      }
      return next;
    });
  }, []);

  return (
    <div className={styles.scroll}>
      <table className={cx(styles.table, stale && staleStyle)}>
        <thead>
          <tr>
            {JOB_COLUMNS.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const key = jobKey(job);
            const highlighted = target !== null && sameJob(job, target);
            return (
              <JobRow
                key={key}
                job={job}
                showPrefix={ambiguousQueues.has(job.queue)}
                expanded={highlighted !== toggled.has(key)}
                highlighted={highlighted}
                onToggle={() => toggle(key)}
                canWrite={canWrite}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const staleStyle = css({ opacity: 0.6 });
