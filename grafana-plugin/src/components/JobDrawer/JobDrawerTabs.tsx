import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, ClipboardButton, LoadingPlaceholder, Pagination, useStyles2 } from '@grafana/ui';
import { jobKey, type JobDetail, type JobRef, type JobSummary } from '@jobscope/contract';
import { JOB_LOG_PAGE_SIZE, useJobLogs } from '../../hooks/useJobDetail';
import { formatAbsolute, formatDuration } from '../../utils/format';
import { formatCount } from '../../utils/showing';
import { TEST_IDS } from '../testIds';
import { StateBadge } from '../JobsTab/StateBadge';

/** JSON text pretty-printed when it parses (a cut value does not: it is shown as stored). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <dt className={styles.dt}>{label}</dt>
      <dd className={styles.dd}>{children}</dd>
    </>
  );
}

function Time({ ms }: { ms: number | null }) {
  return ms === null ? <>—</> : <time dateTime={new Date(ms).toISOString()}>{formatAbsolute(ms)}</time>;
}

const TIMELINE_LABELS: Record<JobDetail['timeline'][number]['event'], string> = {
  created: 'Created',
  'delayed-until': 'Delayed until',
  started: 'Started',
  'attempt-failed': 'Attempt failed',
  finished: 'Finished',
};

/** Fields, the newest error or result excerpt, and the timeline. Without a detail (yet), the list's summary. */
export function OverviewTab({ detail, summary }: { detail: JobDetail | null; summary: JobSummary | null }) {
  const styles = useStyles2(getStyles);
  const job = (detail ?? summary) as JobSummary;
  const error = detail ? detail.failedReason : job.error;
  const trace = detail ? (detail.stacktrace.at(-1) ?? null) : job.traceback;
  const result = detail ? detail.returnValue.text : job.result;
  return (
    <div data-testid={TEST_IDS.jobDetails} className={styles.column}>
      <dl className={styles.fields}>
        <Field label="ID">
          <code>{job.id}</code>
        </Field>
        <Field label="Name">{job.name}</Field>
        <Field label="State">
          <StateBadge state={job.state} />{' '}
          <span className={styles.muted}>{`${job.source} state ${job.nativeState}`}</span>
        </Field>
        <Field label="Queue">{`${job.queue} (prefix ${job.prefix}, ${job.source})`}</Field>
        <Field label="Created">
          <Time ms={job.createdAtMs} />
        </Field>
        <Field label="Started">
          <Time ms={job.startedAtMs} />
        </Field>
        <Field label="Finished">
          <Time ms={job.finishedAtMs} />
        </Field>
        {job.dueAtMs !== null && (
          <Field label="Due">
            <Time ms={job.dueAtMs} />
          </Field>
        )}
        <Field label="Duration">{formatDuration(job.durationMs)}</Field>
        <Field label="Attempts">
          {detail ? `${job.attemptsMade} made, ${detail.attemptsStarted} started` : String(job.attemptsMade)}
        </Field>
        <Field label="Priority">{job.priority ?? '—'}</Field>
        <Field label="Worker">{job.worker ?? '—'}</Field>
        {detail && <Field label="Delay">{detail.delayMs === null ? '—' : formatDuration(detail.delayMs)}</Field>}
        {detail?.deduplicationId && <Field label="Deduplication id">{detail.deduplicationId}</Field>}
        {detail && <Field label="Log lines">{formatCount(detail.logCount)}</Field>}
      </dl>
      {error && (
        <div>
          <div className={styles.label}>Error</div>
          <pre className={styles.pre}>{error}</pre>
        </div>
      )}
      {trace && (
        <div>
          <div className={styles.label}>Traceback (newest)</div>
          <pre className={styles.pre}>{trace}</pre>
        </div>
      )}
      {result && !error && (
        <div>
          <div className={styles.label}>Result</div>
          <pre className={styles.pre}>{result.length > 500 ? `${result.slice(0, 500)}…` : result}</pre>
        </div>
      )}
      {detail && detail.timeline.length > 0 && (
        <div>
          <div className={styles.label}>Timeline</div>
          <ol className={styles.timeline}>
            {detail.timeline.map((t, i) => (
              <li key={i} data-testid={TEST_IDS.jobTimelineEntry} data-event={t.event}>
                <strong>{TIMELINE_LABELS[t.event]}</strong> <Time ms={t.atMs} />
                {t.detail && <pre className={styles.pre}>{t.detail}</pre>}
              </li>
            ))}
          </ol>
        </div>
      )}
      {detail && detail.opts !== undefined && detail.opts !== null && (
        <div>
          <div className={styles.label}>Options</div>
          <pre className={styles.pre}>{JSON.stringify(detail.opts, null, 2)}</pre>
        </div>
      )}
    </div>
  );
}

/** Data or return value: pretty JSON with a copy button, and the whole size when the service cut it. */
export function ValueTab({
  label,
  value,
  testId,
  empty,
}: {
  label: string;
  value: JobDetail['data'];
  testId: string;
  empty: string;
}) {
  const styles = useStyles2(getStyles);
  if (value.text === null) {
    return <div className={styles.muted}>{empty}</div>;
  }
  const text = value.truncated ? value.text : prettyJson(value.text);
  return (
    <div className={styles.column}>
      <div className={styles.row}>
        {value.truncated && (
          <span data-testid={TEST_IDS.jobValueTruncated} className={styles.warning}>
            {`truncated, ${formatCount(value.bytes)} bytes in all`}
          </span>
        )}
        <div className={styles.spacer} />
        <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => text} aria-label={`Copy ${label}`}>
          Copy
        </ClipboardButton>
      </div>
      <pre data-testid={testId} className={styles.pre}>
        {text}
      </pre>
    </div>
  );
}

/** The full failure reason and every stack trace entry (oldest first, as attempts failed). */
export function ErrorTab({ detail }: { detail: JobDetail }) {
  const styles = useStyles2(getStyles);
  if (!detail.failedReason && detail.stacktrace.length === 0) {
    return <div className={styles.muted}>No error recorded for this job.</div>;
  }
  const all = [detail.failedReason ?? '', ...detail.stacktrace].filter((t) => t !== '').join('\n\n');
  return (
    <div className={styles.column}>
      <div className={styles.row}>
        <div className={styles.spacer} />
        <ClipboardButton size="sm" variant="secondary" icon="copy" getText={() => all} aria-label="Copy error">
          Copy
        </ClipboardButton>
      </div>
      {detail.failedReason && (
        <div>
          <div className={styles.label}>Failure reason</div>
          <pre data-testid={TEST_IDS.jobFailedReason} className={styles.pre}>
            {detail.failedReason}
          </pre>
        </div>
      )}
      {detail.stacktrace.map((entry, i) => (
        <div key={i}>
          <div className={styles.label}>{`Stack trace ${i + 1} of ${detail.stacktrace.length}`}</div>
          <pre data-testid={TEST_IDS.jobStacktraceEntry} className={styles.pre}>
            {entry}
          </pre>
        </div>
      ))}
    </div>
  );
}

/** Offset of the page holding the newest lines. */
function lastPageOffset(total: number): number {
  return Math.max(0, Math.floor((Math.max(total, 1) - 1) / JOB_LOG_PAGE_SIZE) * JOB_LOG_PAGE_SIZE);
}

/** Log lines by pages of 100, newest last; it opens on the newest page and follows it until another page is chosen. */
export function LogsTab({ job, logCount }: { job: JobRef; logCount: number }) {
  const styles = useStyles2(getStyles);
  // null: follow the newest page.
  const [page, setPage] = useState<number | null>(null);
  const [total, setTotal] = useState(logCount);
  const known = Math.max(total, logCount);
  const pages = Math.max(1, Math.ceil(known / JOB_LOG_PAGE_SIZE));
  const current = page ?? pages;
  const offset = page === null ? lastPageOffset(known) : (page - 1) * JOB_LOG_PAGE_SIZE;
  const logs = useJobLogs(job, offset, known > 0);
  const reply = logs.data;
  if (reply && reply.total !== total) {
    setTotal(reply.total);
  }
  if (known === 0) {
    return (
      <div data-testid={TEST_IDS.jobLogsEmpty} className={styles.muted}>
        This job has no log lines.
      </div>
    );
  }
  return (
    <div className={styles.column}>
      {logs.error && (
        <Alert severity="warning" title="Could not read the logs">
          {logs.error.message}
        </Alert>
      )}
      <div className={styles.row}>
        <span className={styles.muted}>
          {reply
            ? `lines ${formatCount(reply.offset + 1)}–${formatCount(reply.offset + reply.lines.length)} of ${formatCount(reply.total)}`
            : ''}
        </span>
        <div className={styles.spacer} />
        <Button
          size="sm"
          variant="secondary"
          icon="arrow-up"
          disabled={current <= 1}
          onClick={() => setPage(current - 1)}
          data-testid={TEST_IDS.jobLogsOlder}
        >
          Load older
        </Button>
      </div>
      {reply === undefined && logs.isPending && <LoadingPlaceholder text="Loading logs…" />}
      {reply && (
        <ol className={styles.logs} start={reply.offset + 1}>
          {reply.lines.map((line, i) => (
            <li key={reply.offset + i} data-testid={TEST_IDS.jobLogsLine}>
              {line}
            </li>
          ))}
        </ol>
      )}
      <div data-testid={TEST_IDS.jobLogsPager}>
        <Pagination
          currentPage={current}
          numberOfPages={pages}
          onNavigate={(p) => setPage(p === pages ? null : p)}
          hideWhenSinglePage
        />
      </div>
    </div>
  );
}

function RefButton({ job, testId, onOpenJob }: { job: JobRef; testId: string; onOpenJob: (key: string) => void }) {
  const key = jobKey(job);
  return (
    <Button
      size="sm"
      variant="secondary"
      fill="text"
      data-testid={testId}
      data-job-key={key}
      onClick={() => onOpenJob(key)}
    >
      {`${job.queue} #${job.id}`}
    </Button>
  );
}

/** The job's parent and children (a BullMQ flow); a click opens that job's drawer. */
export function FlowTab({ detail, onOpenJob }: { detail: JobDetail; onOpenJob: (key: string) => void }) {
  const styles = useStyles2(getStyles);
  const { children, parent } = detail;
  const counted = children.processed + children.unprocessed + children.failed + children.ignored;
  return (
    <div className={styles.column}>
      <div>
        <div className={styles.label}>Parent</div>
        {parent ? (
          <RefButton job={parent} testId={TEST_IDS.jobFlowParent} onOpenJob={onOpenJob} />
        ) : (
          <span className={styles.muted}>This job is not a child of another job.</span>
        )}
      </div>
      <div>
        <div className={styles.label}>Children</div>
        {counted === 0 && children.items.length === 0 ? (
          <span className={styles.muted}>This job has no children.</span>
        ) : (
          <>
            <div className={styles.muted}>
              {`${formatCount(children.processed)} processed, ${formatCount(children.unprocessed)} unprocessed, ${formatCount(children.failed)} failed, ${formatCount(children.ignored)} ignored`}
              {children.items.length < counted && ` (the first ${children.items.length} listed)`}
            </div>
            <ul className={styles.children}>
              {children.items.map((child) => (
                <li key={jobKey(child.ref)}>
                  {child.state ? (
                    <StateBadge state={child.state} />
                  ) : (
                    <span className={styles.muted} title="No longer found">
                      gone
                    </span>
                  )}{' '}
                  <RefButton job={child.ref} testId={TEST_IDS.jobFlowChild} onOpenJob={onOpenJob} />
                  <span className={styles.muted}>{child.nativeState}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  column: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1.5), paddingTop: theme.spacing(1) }),
  row: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1) }),
  spacer: css({ flex: 1 }),
  fields: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
  }),
  dt: css({ color: theme.colors.text.secondary }),
  dd: css({ margin: 0, wordBreak: 'break-word' }),
  label: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    marginBottom: theme.spacing(0.5),
  }),
  pre: css({
    margin: 0,
    padding: theme.spacing(1),
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    maxHeight: '60vh',
    overflow: 'auto',
  }),
  logs: css({
    margin: 0,
    paddingLeft: theme.spacing(6),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  }),
  timeline: css({ margin: 0, paddingLeft: theme.spacing(2.5), display: 'flex', flexDirection: 'column', gap: 4 }),
  children: css({ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 4 }),
  muted: css({ color: theme.colors.text.secondary }),
  warning: css({ color: theme.colors.warning.text }),
});
