import React, { useEffect } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, useStyles2 } from '@grafana/ui';
import { watchToastText, watchToastTitle, type WatchToast } from '../../hooks/useJobWatcher';
import { TEST_IDS } from '../testIds';

/** A toast closes by itself after this long while the page is visible (a hidden page keeps it for the user's return). */
export const WATCH_TOAST_MS = 10_000;

interface Props {
  toasts: WatchToast[];
  visible: boolean;
  onDismiss: (id: number) => void;
  onOpen: (key: string) => void;
}

function Toast({ toast, visible, onDismiss, onOpen }: { toast: WatchToast } & Omit<Props, 'toasts'>) {
  const { id } = toast;
  useEffect(() => {
    if (!visible) {
      return undefined;
    }
    const timer = setTimeout(() => onDismiss(id), WATCH_TOAST_MS);
    return () => clearTimeout(timer);
  }, [id, visible, onDismiss]);
  return (
    <div data-testid={TEST_IDS.watchToast} data-job-key={toast.key} data-outcome={toast.outcome} role="status">
      <Alert
        severity={toast.outcome === 'SUCCESS' ? 'success' : toast.outcome === 'FAILURE' ? 'error' : 'warning'}
        title={watchToastTitle(toast)}
        onRemove={() => onDismiss(id)}
        elevated
      >
        <div>{watchToastText(toast)}</div>
        {toast.outcome !== 'gone' && (
          <Button
            size="sm"
            variant="secondary"
            icon="eye"
            onClick={() => {
              onOpen(toast.key);
              onDismiss(id);
            }}
          >
            Open job
          </Button>
        )}
      </Alert>
    </div>
  );
}

/**
 * Toasts of watched jobs that finished, where Grafana shows its own (top right), in Grafana's Alert: unlike an app
 * event, they carry a button that opens the job's drawer (`&job=<jobKey>`).
 */
export function WatchToasts({ toasts, ...rest }: Props) {
  const styles = useStyles2(getStyles);
  if (toasts.length === 0) {
    return null;
  }
  return (
    <div className={styles.stack} aria-live="polite">
      {toasts.map((t) => (
        <Toast key={t.id} toast={t} {...rest} />
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stack: css({
    position: 'fixed',
    top: theme.spacing(10),
    right: theme.spacing(2),
    width: 420,
    maxWidth: `calc(100vw - ${theme.spacing(4)})`,
    zIndex: theme.zIndex.portal,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
});
