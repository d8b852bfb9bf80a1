import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, Field, Input, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';
import { QUEUE_ACTIONS, QUEUE_ACTION_MAX_JOBS, type QueueAction, type QueueSummary } from '@jobscope/contract';
import type { Permission } from '../../hooks/usePermissions';
import { useQueueAction } from '../../hooks/useQueueAction';
import { sourceSupports, type SourceCapabilities } from '../../utils/jobActions';
import { Gated } from '../Actions/Gated';
import { TEST_IDS } from '../testIds';
import { buildCleanRequest, CLEAN_DEFAULTS, type CleanForm, type CleanState } from './cleanForm';

interface Props {
  queue: QueueSummary;
  /** queues:write (Admin): without it the buttons are shown disabled with the reason. */
  permission: Permission;
  /** What each source can do (the status reply's `sources`): actions the queue's source lacks are not shown. */
  capabilities?: SourceCapabilities;
}

/** The first button: Pause a running queue, Resume a paused one. */
const PAUSE_TOGGLE = {
  pause: { action: 'pause', label: 'Pause', icon: 'pause', testId: TEST_IDS.queueActionPause },
  resume: { action: 'resume', label: 'Resume', icon: 'play', testId: TEST_IDS.queueActionResume },
} as const;

/** Pause / Resume, Retry failed and Clean for one queue row: those its source supports (the others are hidden). */
export function QueueActions({ queue, permission, capabilities = null }: Props) {
  const styles = useStyles2(getStyles);
  const mutation = useQueueAction();
  const [confirm, setConfirm] = useState<'retry-failed' | 'clean' | null>(null);
  const busy = mutation.isPending;
  const disabled = !permission.allowed || busy;
  const failed = queue.counts.FAILURE;
  // Retry as many as the user saw and confirmed (failures arriving meanwhile are left alone), within the service's cap.
  const retryLimit = Math.min(Math.max(failed, 1), QUEUE_ACTION_MAX_JOBS);
  const toggle = queue.paused ? PAUSE_TOGGLE.resume : PAUSE_TOGGLE.pause;
  const supports = (action: QueueAction) => sourceSupports(capabilities, queue.source, action);
  if (!QUEUE_ACTIONS.some(supports)) {
    return (
      <span className={styles.none} title={`The ${queue.source} source has no queue actions`}>
        —
      </span>
    );
  }

  return (
    <div className={styles.buttons}>
      {supports(toggle.action) && (
        <Gated reason={permission.reason}>
          <Button
            size="sm"
            variant="secondary"
            icon={toggle.icon}
            disabled={disabled}
            data-testid={toggle.testId}
            aria-label={`${toggle.label} queue ${queue.name}`}
            onClick={() => mutation.mutate({ queue, body: { action: toggle.action } })}
          >
            {toggle.label}
          </Button>
        </Gated>
      )}
      {supports('retry-failed') && (
        <Gated reason={permission.reason ?? (failed === 0 ? 'No failed jobs' : null)}>
          <Button
            size="sm"
            variant="secondary"
            icon="repeat"
            disabled={disabled || failed === 0}
            data-testid={TEST_IDS.queueActionRetryFailed}
            aria-label={`Retry failed jobs of queue ${queue.name}`}
            onClick={() => setConfirm('retry-failed')}
          >
            Retry failed
          </Button>
        </Gated>
      )}
      {supports('clean') && (
        <Gated reason={permission.reason}>
          <Button
            size="sm"
            variant="destructive"
            fill="outline"
            icon="trash-alt"
            disabled={disabled}
            data-testid={TEST_IDS.queueActionClean}
            aria-label={`Clean queue ${queue.name}`}
            onClick={() => setConfirm('clean')}
          >
            Clean
          </Button>
        </Gated>
      )}
      {confirm === 'retry-failed' && (
        <ConfirmModal
          isOpen
          title="Retry failed jobs"
          body={
            <div data-testid={TEST_IDS.confirmRetryFailed}>
              Retry{' '}
              <strong>
                {retryLimit === failed ? failed : `up to ${retryLimit}`} failed job{failed === 1 ? '' : 's'}
              </strong>{' '}
              of queue <strong>{queue.name}</strong>? They move back to waiting and run again.
            </div>
          }
          confirmText="Retry failed"
          confirmVariant="primary"
          onConfirm={() => {
            setConfirm(null);
            mutation.mutate({ queue, body: { action: 'retry-failed', limit: retryLimit } });
          }}
          onDismiss={() => setConfirm(null)}
        />
      )}
      {confirm === 'clean' && (
        <CleanModal
          queue={queue}
          onConfirm={(body) => {
            setConfirm(null);
            mutation.mutate({ queue, body });
          }}
          onDismiss={() => setConfirm(null)}
        />
      )}
    </div>
  );
}

const STATE_OPTIONS: Array<{ label: string; value: CleanState }> = [
  { label: 'SUCCESS', value: 'SUCCESS' },
  { label: 'FAILURE', value: 'FAILURE' },
];

interface CleanModalProps {
  queue: QueueSummary;
  onConfirm: (body: { action: 'clean'; state: CleanState; olderThanMs: number; limit: number }) => void;
  onDismiss: () => void;
}

/** Clean finished jobs: which state, how old, how many; the queue's name must be typed to confirm. */
function CleanModal({ queue, onConfirm, onDismiss }: CleanModalProps) {
  const [form, setForm] = useState<CleanForm>(CLEAN_DEFAULTS);
  const [typed, setTyped] = useState('');
  const built = buildCleanRequest(form);
  const errors = built.ok ? {} : built.errors;
  const nameMatches = typed.trim() === queue.name;
  const setText = (key: 'olderThanHours' | 'limit') => (e: React.ChangeEvent<HTMLInputElement>) => {
    const value = e.currentTarget.value;
    setForm((f) => ({ ...f, [key]: value }));
  };

  return (
    <ConfirmModal
      isOpen
      title={`Clean queue ${queue.name}`}
      body={
        <div data-testid={TEST_IDS.confirmClean}>
          <p>
            Removes finished jobs of queue <strong>{queue.name}</strong> (prefix {queue.prefix}) for good.
          </p>
          <Field label="Jobs in state">
            <div data-testid={TEST_IDS.cleanState}>
              <RadioButtonGroup
                options={STATE_OPTIONS}
                value={form.state}
                onChange={(state) => setForm((f) => ({ ...f, state }))}
              />
            </div>
          </Field>
          <Stack gap={2}>
            <Field
              label="Older than (hours)"
              description="0 removes them whatever their age"
              invalid={!!errors.olderThanHours}
              error={errors.olderThanHours}
            >
              <Input
                id="clean-older-than"
                data-testid={TEST_IDS.cleanOlderThan}
                type="number"
                min={0}
                width={16}
                value={form.olderThanHours}
                onChange={setText('olderThanHours')}
              />
            </Field>
            <Field
              label="At most"
              description={`jobs (1 to ${QUEUE_ACTION_MAX_JOBS.toLocaleString('en-US')})`}
              invalid={!!errors.limit}
              error={errors.limit}
            >
              <Input
                id="clean-limit"
                data-testid={TEST_IDS.cleanLimit}
                type="number"
                min={1}
                max={QUEUE_ACTION_MAX_JOBS}
                width={16}
                value={form.limit}
                onChange={setText('limit')}
              />
            </Field>
          </Stack>
          <Field label={`Type the queue name "${queue.name}" to confirm`}>
            <Input
              id="confirm-clean-input"
              data-testid={TEST_IDS.confirmCleanInput}
              value={typed}
              autoComplete="off"
              placeholder={queue.name}
              onChange={(e) => setTyped(e.currentTarget.value)}
            />
          </Field>
        </div>
      }
      confirmText="Clean"
      disabled={!nameMatches || !built.ok}
      onConfirm={() => {
        if (built.ok && nameMatches) {
          onConfirm(built.body);
        }
      }}
      onDismiss={onDismiss}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  buttons: css({ display: 'flex', flexWrap: 'nowrap', gap: theme.spacing(1) }),
  none: css({ color: theme.colors.text.secondary }),
});
