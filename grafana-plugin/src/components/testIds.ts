/**
 * Every `data-testid` the plugin renders, in one place. The jest tests and the browser tests (tests/e2e) select by
 * these values, so an existing value is never renamed; add new ones here.
 */
export const TEST_IDS = {
  jobRow: 'job-row',
  jobState: 'job-state',
  jobDetails: 'job-details',
  jobsEmpty: 'jobs-empty',
  jobsUpdated: 'jobs-updated',
  jobsStale: 'jobs-stale',
  jobsErrorBanner: 'jobs-error-banner',
  /** The notice shown when the `&job=` of the URL is not in the list, or is not a job key. */
  jobsJobNotice: 'jobs-job-notice',
  /** The prefix shown beside a queue name that several prefixes or sources share. */
  jobQueuePrefix: 'job-queue-prefix',
  /** The Source cell of a job row (shown when the list mixes sources, with `data-source`), and the Source filter. */
  jobSource: 'job-source',
  jobsSourceFilter: 'jobs-source-filter',
  queueRow: 'queue-row',
  /** The Queues tab's name filter box and its "showing 1–50 of 1,000 queues" line. */
  queuesFilter: 'queues-filter',
  queuesShowing: 'queues-showing',
  runJobResult: 'run-job-result',
  runJobError: 'run-job-error',
  configTestResult: 'config-test-result',
  generalInfo: 'general-info',
  generalReachability: 'general-reachability',
  generalRedis: 'general-redis',
  /** The per-row button opening a job's action menu (Retry / Promote / Cancel / Remove). */
  jobActionsMenu: 'job-actions-menu',
  jobActionRetry: 'job-action-retry',
  jobActionPromote: 'job-action-promote',
  jobActionCancel: 'job-action-cancel',
  jobActionRemove: 'job-action-remove',
  /** Body of the confirmation before removing a job. */
  confirmRemove: 'confirm-remove',
  /** Body of the confirmation before cancelling a running job, and its optional reason field. */
  confirmCancel: 'confirm-cancel',
  confirmCancelReason: 'confirm-cancel-reason',
  /** Queue action buttons of a queue row. */
  queueActionPause: 'queue-action-pause',
  queueActionResume: 'queue-action-resume',
  queueActionRetryFailed: 'queue-action-retry-failed',
  queueActionClean: 'queue-action-clean',
  confirmRetryFailed: 'confirm-retry-failed',
  /** Body of the clean confirmation, its fields, and the field where the queue name is typed to confirm. */
  confirmClean: 'confirm-clean',
  cleanState: 'clean-state',
  cleanOlderThan: 'clean-older-than',
  cleanLimit: 'clean-limit',
  confirmCleanInput: 'confirm-clean-input',
  /** The "Recent actions" list (audit trail), one row per entry, its empty and error states. */
  recentActions: 'recent-actions',
  recentActionRow: 'recent-action-row',
  recentActionsEmpty: 'recent-actions-empty',
  recentActionsError: 'recent-actions-error',
  /** The job drawer (opened by a row click or `&job=<jobKey>`), its close button and its tabs (`job-drawer-tab-<name>`). */
  jobDrawer: 'job-drawer',
  jobDrawerClose: 'job-drawer-close',
  jobDrawerTabOverview: 'job-drawer-tab-overview',
  jobDrawerTabData: 'job-drawer-tab-data',
  jobDrawerTabResult: 'job-drawer-tab-result',
  jobDrawerTabError: 'job-drawer-tab-error',
  jobDrawerTabLogs: 'job-drawer-tab-logs',
  jobDrawerTabFlow: 'job-drawer-tab-flow',
  /** The drawer's "job no longer exists" state (404), and its load error. */
  jobDrawerNotFound: 'job-drawer-not-found',
  jobDrawerError: 'job-drawer-error',
  /** Overview: the timeline entries. */
  jobTimelineEntry: 'job-timeline-entry',
  /** Data and Result tabs: the value shown and the "truncated, N bytes in all" note. */
  jobDataValue: 'job-data-value',
  jobResultValue: 'job-result-value',
  jobValueTruncated: 'job-value-truncated',
  /** Error tab: the full failure reason and each stack trace entry. */
  jobFailedReason: 'job-failed-reason',
  jobStacktraceEntry: 'job-stacktrace-entry',
  /** Logs tab: one log line, the pager, and the empty state. */
  jobLogsLine: 'job-logs-line',
  jobLogsPager: 'job-logs-pager',
  jobLogsOlder: 'job-logs-older',
  jobLogsEmpty: 'job-logs-empty',
  /** Flow tab: the parent link and each child (with `data-job-key`). */
  jobFlowParent: 'job-flow-parent',
  jobFlowChild: 'job-flow-child',
  /** Jobs toolbar: search box, queue multi-select, exact name, time range, load more, "showing N of M". */
  jobsSearchInput: 'jobs-search-input',
  jobsQueueMultiselect: 'jobs-queue-multiselect',
  jobsNameInput: 'jobs-name-input',
  jobsFrom: 'jobs-from',
  jobsTo: 'jobs-to',
  jobsLoadMore: 'jobs-load-more',
  jobsShowing: 'jobs-showing',
  /** A name or time filter stopped at its window (`complete: false`). */
  jobsIncomplete: 'jobs-incomplete',
  /** Search mode: what was searched, the empty state and the error. */
  searchSummary: 'search-summary',
  searchEmpty: 'search-empty',
  searchError: 'search-error',
  /** Jobs toolbar: how the table follows the service, `data-mode` = `live` | `polling` | `paused`. */
  jobsLiveIndicator: 'jobs-live-indicator',
  /** A job's bell (row and drawer), `aria-pressed` while watched; the toast when a watched job ends. */
  jobWatchToggle: 'job-watch-toggle',
  watchToast: 'watch-toast',
  /** Jobs toolbar: the Export menu's button, its CSV and JSON downloads, "how many", and the download's progress. */
  jobsExportMenu: 'jobs-export-menu',
  jobsExportCsv: 'jobs-export-csv',
  jobsExportJson: 'jobs-export-json',
  jobsExportMax: 'jobs-export-max',
  jobsExportProgress: 'jobs-export-progress',
} as const;

export type TestId = (typeof TEST_IDS)[keyof typeof TEST_IDS];
