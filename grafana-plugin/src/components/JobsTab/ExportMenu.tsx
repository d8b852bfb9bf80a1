import React, { useEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, Field, IconButton, Input, Stack, Toggletip, useStyles2 } from '@grafana/ui';
import { EXPORT_DEFAULT_MAX, EXPORT_MAX, type ExportFormat } from '@jobscope/contract';
import { toServiceError, type StatusFilter } from '../../api/client';
import { downloadExport, type DownloadProgress } from '../../utils/download';
import { formatCount } from '../../utils/showing';
import { notifyError, notifySuccess } from '../../utils/notify';
import { TEST_IDS } from '../testIds';

interface Props {
  /** The view to export: the toolbar's filter (queues, state, name, time range). */
  filter: StatusFilter;
  /** Search text is set: the export is of the filtered list, not of the search results. */
  searching: boolean;
}

/** "How many": a whole number 1…100,000, else null. */
export function parseExportMax(text: string): number | null {
  const t = text.trim().replace(/[,_\s]/g, '');
  if (!/^\d{1,6}$/.test(t)) {
    return null;
  }
  const n = Number(t);
  return n >= 1 && n <= EXPORT_MAX ? n : null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${(bytes / 1024).toFixed(1)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function describeFilter(filter: StatusFilter): string {
  const parts: string[] = [];
  if (filter.queue) {
    parts.push(`queue ${filter.queue.split(',').join(', ')}`);
  }
  if (filter.state) {
    parts.push(`state ${filter.state}`);
  }
  if (filter.name) {
    parts.push(`name ${filter.name}`);
  }
  if (filter.from || filter.to) {
    parts.push('the time range');
  }
  return parts.length === 0 ? 'All jobs' : `Jobs of ${parts.join(', ')}`;
}

interface Running {
  format: ExportFormat;
  progress: DownloadProgress;
}

/**
 * The Jobs toolbar's Export menu: CSV or JSON of the current filter, at most "how many" jobs (default 10,000, at most
 * 100,000), downloaded through the plugin proxy with progress (jobs and bytes so far) and saved as a file; a failure
 * shows the service's message in an error toast. One download at a time; it can be cancelled.
 */
export function ExportMenu({ filter, searching }: Props) {
  const styles = useStyles2(getStyles);
  const [open, setOpen] = useState(false);
  const [maxText, setMaxText] = useState(String(EXPORT_DEFAULT_MAX));
  const [running, setRunning] = useState<Running | null>(null);
  const abort = useRef<AbortController | null>(null);
  const max = parseExportMax(maxText);

  // Leaving the tab cancels a download in progress.
  useEffect(() => () => abort.current?.abort(), []);

  const start = (format: ExportFormat) => {
    if (max === null || running) {
      return;
    }
    setOpen(false);
    const controller = new AbortController();
    abort.current = controller;
    setRunning({ format, progress: { bytes: 0, rows: 0 } });
    downloadExport(
      { format, max, filter },
      (progress) => {
        if (!controller.signal.aborted) {
          setRunning({ format, progress });
        }
      },
      controller.signal
    )
      .then(
        (done) => {
          notifySuccess(
            `Exported ${formatCount(done.rows)} job${done.rows === 1 ? '' : 's'}`,
            `${done.filename} (${formatBytes(done.bytes)})`
          );
        },
        (e: unknown) => {
          if (!controller.signal.aborted) {
            notifyError(`Export (${format.toUpperCase()}) failed`, toServiceError(e).message);
          }
        }
      )
      .finally(() => {
        if (abort.current === controller) {
          abort.current = null;
          setRunning(null);
        }
      });
  };

  const cancel = () => {
    abort.current?.abort();
    abort.current = null;
    setRunning(null);
  };

  const content = (
    <div className={styles.menu}>
      <div className={styles.scope}>{describeFilter(filter)}</div>
      {searching && <div className={styles.note}>The search text is not part of an export.</div>}
      <Field
        label="How many (newest first)"
        description={`At most ${formatCount(EXPORT_MAX)}`}
        invalid={max === null}
        error={max === null ? `A whole number from 1 to ${formatCount(EXPORT_MAX)}` : undefined}
      >
        <Input
          id="jobs-export-max"
          data-testid={TEST_IDS.jobsExportMax}
          inputMode="numeric"
          width={16}
          value={maxText}
          onChange={(e) => setMaxText(e.currentTarget.value)}
        />
      </Field>
      <Stack gap={1}>
        <Button
          icon="file-alt"
          disabled={max === null || running !== null}
          onClick={() => start('csv')}
          data-testid={TEST_IDS.jobsExportCsv}
        >
          CSV
        </Button>
        <Button
          icon="brackets-curly"
          variant="secondary"
          disabled={max === null || running !== null}
          onClick={() => start('json')}
          data-testid={TEST_IDS.jobsExportJson}
        >
          JSON
        </Button>
      </Stack>
    </div>
  );

  return (
    <>
      <Toggletip
        content={content}
        title="Export jobs"
        placement="bottom-end"
        show={open}
        onOpen={() => setOpen(true)}
        onClose={() => setOpen(false)}
      >
        <Button
          variant="secondary"
          icon={running ? 'spinner' : 'download-alt'}
          data-testid={TEST_IDS.jobsExportMenu}
          aria-haspopup="dialog"
        >
          Export
        </Button>
      </Toggletip>
      {running && (
        <span className={styles.progress} data-testid={TEST_IDS.jobsExportProgress} role="status">
          {`Exporting ${running.format.toUpperCase()}: ${formatCount(running.progress.rows)} jobs, ${formatBytes(
            running.progress.bytes
          )}`}
          <IconButton name="times" size="sm" aria-label="Cancel the export" onClick={cancel} />
        </span>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  menu: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), minWidth: 260 }),
  scope: css({ fontWeight: theme.typography.fontWeightMedium }),
  note: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  progress: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
