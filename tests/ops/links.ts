import { JOB_STATES, SETTINGS_PAGE_PATH, SETTINGS_TABS, jobsTabUrl } from '@jobscope/contract';

/**
 * Checks one link into the plugin against the contract: relative, the Settings page path, a known tab, only the
 * query keys the page reads, a literal `state` from JOB_STATES, and a `queue` that is either absent or one of the
 * template forms allowed where the link lives (a dashboard variable, a series label, an alert label).
 * Returns the problems (empty = fine).
 */
const PLACEHOLDER = 'placeholder-queue';
const QUERY_KEYS = new Set(['tab', 'queue', 'state', 'job']);

export function linkProblems(url: string, queueTemplates: readonly string[]): string[] {
  const problems: string[] = [];
  if (!url.startsWith('/') || url.startsWith('//')) {
    problems.push('must be a relative URL starting with "/" (keeps Grafana sub-paths working)');
    return problems;
  }
  let resolved = url;
  for (const t of queueTemplates) {
    resolved = resolved.split(t).join(PLACEHOLDER);
  }
  if (/\$\{|\{\{|\$[A-Za-z_]/.test(resolved)) {
    problems.push(`contains a template that is not an allowed queue template (${queueTemplates.join(', ')})`);
  }
  const parsed = new URL(resolved, 'http://grafana.invalid');
  if (parsed.pathname !== SETTINGS_PAGE_PATH) {
    problems.push(`path ${parsed.pathname} is not the plugin's Settings page ${SETTINGS_PAGE_PATH}`);
  }
  const tab = parsed.searchParams.get('tab');
  if (!tab || !(SETTINGS_TABS as readonly string[]).includes(tab)) {
    problems.push(`tab=${tab} is not one of ${SETTINGS_TABS.join(', ')}`);
  }
  for (const key of parsed.searchParams.keys()) {
    if (!QUERY_KEYS.has(key)) {
      problems.push(`unknown query key "${key}"`);
    }
  }
  const state = parsed.searchParams.get('state');
  if (state !== null && !(JOB_STATES as readonly string[]).includes(state)) {
    problems.push(`state=${state} is not one of ${JOB_STATES.join(', ')}`);
  }
  if (tab !== 'jobs' && (parsed.searchParams.has('queue') || state !== null)) {
    problems.push('queue/state filters only exist on the jobs tab');
  }
  if (tab === 'jobs' && problems.length === 0) {
    // Same string the plugin's own helper builds (parameter order included), so links and plugin stay in step.
    const expected = jobsTabUrl({
      queue: parsed.searchParams.get('queue') ?? undefined,
      state: state ?? undefined,
      job: parsed.searchParams.get('job') ?? undefined,
    });
    if (`${parsed.pathname}${parsed.search}` !== expected) {
      problems.push(`differs from contract jobsTabUrl(): ${expected}`);
    }
  }
  return problems;
}

export { PLACEHOLDER };
