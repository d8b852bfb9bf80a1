import React from 'react';
import { IconButton } from '@grafana/ui';
import { jobKey, jobRefOf, type JobRef, type JobState } from '@jobscope/contract';
import {
  addWatch,
  askNotificationPermissionOnce,
  FINISHED_STATES,
  removeWatch,
  useIsWatched,
} from '../../utils/watches';
import { TEST_IDS } from '../testIds';

interface Props {
  job: JobRef;
  name: string;
  /** Its state as shown: a finished job has nothing to watch (a watched one can still be unwatched). */
  state: JobState | null;
}

/**
 * The bell of a job (row and drawer): pressed while the job is watched; a watched job's finish raises a toast (and a
 * browser notification while the page is hidden, if allowed — asked on the first use of a bell). Any role may watch.
 */
export function WatchToggle({ job, name, state }: Props) {
  const key = jobKey(job);
  const watched = useIsWatched(key);
  const finished = state !== null && FINISHED_STATES.has(state);
  const label = watched
    ? `Stop watching job ${job.id}`
    : finished
      ? `Job ${job.id} has finished`
      : `Notify me when job ${job.id} finishes`;
  const toggle = () => {
    if (watched) {
      removeWatch(key);
    } else {
      askNotificationPermissionOnce();
      addWatch(jobRefOf(job), name);
    }
  };
  return (
    // The row opens the drawer on click and Enter/Space: the bell's own events must not reach it.
    <span onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <IconButton
        name="bell"
        variant={watched ? 'primary' : 'secondary'}
        tooltip={label}
        aria-pressed={watched}
        disabled={!watched && finished}
        data-testid={TEST_IDS.jobWatchToggle}
        data-job-key={key}
        onClick={toggle}
      />
    </span>
  );
}
