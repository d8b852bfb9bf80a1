import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { locationService } from '@grafana/runtime';
import type { JobSummary, StatusResponse } from '@jobscope/contract';

/**
 * The Jobs tab's Source filter, kept in the URL (`&source=celery`) beside the other filters so a filtered view can be
 * shared. It narrows the list the service sent (client-side): the status route has no source parameter.
 */
export function useSourceFilter(): [string | undefined, (source: string | null) => void] {
  const [params] = useSearchParams();
  const source = params.get('source') || undefined;
  const setSource = useCallback((value: string | null) => {
    // As the other filters: the tab stays explicit, a change closes the drawer and pushes a history entry.
    locationService.partial({ tab: 'jobs', source: value, job: null }, false);
  }, []);
  return [source, setSource];
}

/** A source as the Jobs tab names it. */
export interface NamedSource {
  id: string;
  label: string;
}

/** The sources to name in the Jobs tab: the reply's list, plus any its queues or jobs come from (named by id). */
export function listedSources(
  data: Pick<StatusResponse, 'sources' | 'queues'> | null,
  jobs: ReadonlyArray<Pick<JobSummary, 'source'>> = []
): NamedSource[] {
  const listed: NamedSource[] = (data?.sources ?? []).map((s) => ({ id: s.id, label: s.label }));
  const ids = new Set(listed.map((s) => s.id));
  for (const id of [...(data?.queues ?? []).map((q) => q.source), ...jobs.map((j) => j.source)]) {
    if (!ids.has(id)) {
      ids.add(id);
      listed.push({ id, label: id });
    }
  }
  return listed;
}

/** Whether the list mixes sources (or shows another than BullMQ): then each row says which source its job is from. */
export function mixesSources(
  sources: readonly NamedSource[],
  jobs: ReadonlyArray<Pick<JobSummary, 'source'>>
): boolean {
  return sources.length > 1 || jobs.some((j) => j.source !== 'bullmq');
}
