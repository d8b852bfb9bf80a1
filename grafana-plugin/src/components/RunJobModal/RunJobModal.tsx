import React, { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Alert, Button, Combobox, Field, Input, Modal, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { jobKey, jobsTabUrl, type EnqueueRequest, type EnqueueResponse } from '@jobscope/contract';
import { enqueueJob, type ServiceError } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { addWatch } from '../../utils/watches';
import { TEST_IDS } from '../testIds';
import { buildEnqueueRequest, type FieldErrors, type RunJobForm } from './buildEnqueueRequest';

interface Props {
  /** Queues known from the last status reply. */
  queues: string[];
  defaultQueue?: string;
  onDismiss: () => void;
}

/** Enqueue a job through the service (Editor and above; the plugin route for POST requires Editor). */
export function RunJobModal({ queues, defaultQueue, onDismiss }: Props) {
  const styles = useStyles2(getStyles);
  const [form, setForm] = useState<RunJobForm>({
    queue: defaultQueue ?? queues[0] ?? '',
    name: '',
    data: '{}',
    delay: '',
    priority: '',
  });
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const queryClient = useQueryClient();
  const enqueue = useMutation<EnqueueResponse, ServiceError, EnqueueRequest>({
    mutationFn: enqueueJob,
    // The new job is watched (a toast when it finishes), and shows in the list without waiting for the next tick
    // (joining a poll in flight, not cancelling it).
    onSuccess: (created, request) => {
      addWatch(created, request.name);
      return queryClient.invalidateQueries({ queryKey: queryKeys.statusAll }, { cancelRefetch: false });
    },
    // The enqueue is in the audit trail ("Recent actions"), accepted or not.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.auditAll }),
  });
  const created = enqueue.data ?? null;
  const error = enqueue.error;
  const submitting = enqueue.isPending;

  const set = (key: keyof RunJobForm) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const submit = () => {
    const built = buildEnqueueRequest(form);
    if (!built.ok) {
      setFieldErrors(built.errors);
      return;
    }
    setFieldErrors({});
    enqueue.mutate(built.request);
  };

  const showJobs = () => {
    if (!created) {
      return;
    }
    onDismiss();
    locationService.push(jobsTabUrl({ queue: created.queue, job: jobKey(created) }));
  };

  const queueOptions = (form.queue && !queues.includes(form.queue) ? [form.queue, ...queues] : queues).map((q) => ({
    label: q,
    value: q,
  }));

  return (
    <Modal title="Run job" isOpen onDismiss={onDismiss}>
      {created ? (
        <div>
          <Alert severity="success" title="Job enqueued">
            Job id{' '}
            <code data-testid={TEST_IDS.runJobResult} data-job-key={jobKey(created)}>
              {created.id}
            </code>{' '}
            on queue <strong>{created.queue}</strong> (prefix {created.prefix}, {created.source}; {created.state}). You
            will be told when it finishes.
          </Alert>
          <Modal.ButtonRow>
            <Button variant="secondary" onClick={onDismiss}>
              Close
            </Button>
            <Button onClick={showJobs}>Show Jobs</Button>
          </Modal.ButtonRow>
        </div>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label="Queue" invalid={!!fieldErrors.queue} error={fieldErrors.queue}>
            <Combobox
              id="run-job-queue"
              options={queueOptions}
              value={form.queue || null}
              placeholder="Choose a queue"
              createCustomValue
              onChange={(o) => set('queue')(o.value)}
            />
          </Field>
          <Field label="Job name" invalid={!!fieldErrors.name} error={fieldErrors.name}>
            <Input
              id="run-job-name"
              value={form.name}
              onChange={(e) => set('name')(e.currentTarget.value)}
              placeholder="e.g. send-welcome-email"
            />
          </Field>
          <Field label="Data (JSON)" invalid={!!fieldErrors.data} error={fieldErrors.data}>
            <TextArea
              id="run-job-data"
              rows={6}
              className={styles.code}
              value={form.data}
              onChange={(e) => set('data')(e.currentTarget.value)}
            />
          </Field>
          <Stack gap={2}>
            <Field label="Delay (ms)" invalid={!!fieldErrors.delay} error={fieldErrors.delay}>
              <Input
                id="run-job-delay"
                inputMode="numeric"
                value={form.delay}
                onChange={(e) => set('delay')(e.currentTarget.value)}
                placeholder="0"
              />
            </Field>
            <Field label="Priority" invalid={!!fieldErrors.priority} error={fieldErrors.priority}>
              <Input
                id="run-job-priority"
                inputMode="numeric"
                value={form.priority}
                onChange={(e) => set('priority')(e.currentTarget.value)}
                placeholder="none"
              />
            </Field>
          </Stack>
          {error && (
            <div data-testid={TEST_IDS.runJobError}>
              <Alert
                severity="error"
                title={`The service refused the job${error.status ? ` (HTTP ${error.status})` : ''}`}
              >
                {error.message}
                {error.body?.error.issues && (
                  <ul>
                    {error.body.error.issues.map((i) => (
                      <li key={`${i.path}:${i.message}`}>
                        {i.path ? `${i.path}: ` : ''}
                        {i.message}
                      </li>
                    ))}
                  </ul>
                )}
              </Alert>
            </div>
          )}
          <Modal.ButtonRow>
            <Button variant="secondary" type="button" onClick={onDismiss}>
              Cancel
            </Button>
            <Button type="submit" disabled={submitting} icon={submitting ? 'spinner' : undefined}>
              Run
            </Button>
          </Modal.ButtonRow>
        </form>
      )}
    </Modal>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  code: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
