import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';
import { locationService } from '@grafana/runtime';

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
