import React, { useState } from 'react';
import { ConfirmModal, Dropdown, Field, IconButton, Input, Menu } from '@grafana/ui';
import type { JobAction, JobSummary } from '@jobscope/contract';
import type { Permission } from '../../hooks/usePermissions';
import { useJobAction } from '../../hooks/useJobAction';
import { JOB_ACTION_MENU, jobActionsFor, type SourceCapabilities } from '../../utils/jobActions';
import { GatedBlock } from '../Actions/Gated';
import { TEST_IDS } from '../testIds';

export const JOB_ACTION_TEST_IDS: Record<JobAction, string> = {
  retry: TEST_IDS.jobActionRetry,
  promote: TEST_IDS.jobActionPromote,
  cancel: TEST_IDS.jobActionCancel,
  remove: TEST_IDS.jobActionRemove,
};

const ICONS = { retry: 'repeat', promote: 'arrow-up', cancel: 'times', remove: 'trash-alt' } as const;

interface Props {
  job: JobSummary;
  /** jobs:write (Editor): without it the actions are shown disabled with the reason. */
  permission: Permission;
  /** What each source can do (the status reply's `sources`): actions the job's source lacks are not shown. */
  capabilities?: SourceCapabilities;
}

/**
 * The per-row action menu: the actions that apply to the job's state (retry FAILURE/SUCCESS, promote DELAYED, cancel
 * RUNNING, remove anything but RUNNING) and that the job's source supports (others are hidden; with none left there
 * is no menu button), enabled when the user may write jobs. Remove and cancel ask first.
 */
export function JobActionsMenu({ job, permission, capabilities = null }: Props) {
  const mutation = useJobAction();
  const [confirm, setConfirm] = useState<'remove' | 'cancel' | null>(null);
  const [reason, setReason] = useState('');
  const busy = mutation.isPending;
  const actions = jobActionsFor(job, capabilities);

  const choose = (action: JobAction) => {
    if (action === 'remove' || action === 'cancel') {
      setReason('');
      setConfirm(action);
    } else {
      mutation.mutate({ job, action });
    }
  };

  const menu = (
    <Menu>
      {JOB_ACTION_MENU.filter((m) => actions.includes(m.action)).map((m) => (
        <GatedBlock key={m.action} reason={permission.reason}>
          <Menu.Item
            label={m.label}
            description={m.description}
            icon={ICONS[m.action]}
            testId={JOB_ACTION_TEST_IDS[m.action]}
            disabled={!permission.allowed || busy}
            destructive={m.action === 'remove'}
            onClick={() => choose(m.action)}
          />
        </GatedBlock>
      ))}
    </Menu>
  );

  return (
    // The row toggles its details on click and Enter/Space: nothing here (menu and modals are rendered through portals,
    // whose React events still bubble to the row) may reach it.
    <span onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      {actions.length > 0 && (
        <Dropdown overlay={menu} placement="bottom-end">
          <IconButton
            name={busy ? 'spinner' : 'ellipsis-v'}
            aria-label={`Actions for job ${job.id}`}
            data-testid={TEST_IDS.jobActionsMenu}
          />
        </Dropdown>
      )}
      {confirm === 'remove' && (
        <ConfirmModal
          isOpen
          title="Remove job"
          body={
            <div data-testid={TEST_IDS.confirmRemove}>
              Remove job <strong>{job.id}</strong> ({job.name}) from queue <strong>{job.queue}</strong>? Its data,
              result and logs are deleted; this cannot be undone.
            </div>
          }
          confirmText="Remove"
          onConfirm={() => {
            setConfirm(null);
            mutation.mutate({ job, action: 'remove' });
          }}
          onDismiss={() => setConfirm(null)}
        />
      )}
      {confirm === 'cancel' && (
        <ConfirmModal
          isOpen
          title="Cancel job"
          body={
            <div data-testid={TEST_IDS.confirmCancel}>
              <p>
                Ask the worker running job <strong>{job.id}</strong> ({job.name}) of queue <strong>{job.queue}</strong>{' '}
                to stop it? The job fails once its processor stops.
              </p>
              <Field label="Reason (optional)">
                <Input
                  id={`cancel-reason-${job.id}`}
                  data-testid={TEST_IDS.confirmCancelReason}
                  value={reason}
                  maxLength={500}
                  onChange={(e) => setReason(e.currentTarget.value)}
                />
              </Field>
            </div>
          }
          confirmText="Cancel job"
          dismissText="Keep running"
          onConfirm={() => {
            setConfirm(null);
            mutation.mutate({ job, action: 'cancel', reason });
          }}
          onDismiss={() => setConfirm(null)}
        />
      )}
    </span>
  );
}
