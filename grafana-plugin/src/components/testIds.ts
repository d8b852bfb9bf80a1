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
  queueRow: 'queue-row',
  runJobResult: 'run-job-result',
  runJobError: 'run-job-error',
  configTestResult: 'config-test-result',
  generalInfo: 'general-info',
  generalReachability: 'general-reachability',
  generalRedis: 'general-redis',
} as const;

export type TestId = (typeof TEST_IDS)[keyof typeof TEST_IDS];
