import { focusManager, QueryClient, type DefaultOptions } from '@tanstack/react-query';

/**
 * TanStack's focus manager follows `document.visibilityState` (a hidden browser tab is "unfocused"). The listener sits
 * on the document, where the browser fires `visibilitychange`, so a hidden tab stops the Jobs poll and showing it again
 * fetches at once.
 */
focusManager.setEventListener((handleFocus) => {
  if (typeof document === 'undefined') {
    return undefined;
  }
  const onChange = () => handleFocus();
  document.addEventListener('visibilitychange', onChange, false);
  return () => document.removeEventListener('visibilitychange', onChange);
});

export const DEFAULT_QUERY_OPTIONS: DefaultOptions = {
  queries: {
    // The page shows failures in its own banner and the poll tries again on its next tick.
    retry: false,
    // Only the Jobs poll refetches on visibility (its own option); one-shot calls refetch on mount or on demand.
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  },
  mutations: { retry: false },
};

/** The plugin's one QueryClient per root (app page or config page). */
export function createQueryClient(defaults: DefaultOptions = {}): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { ...DEFAULT_QUERY_OPTIONS.queries, ...defaults.queries },
      mutations: { ...DEFAULT_QUERY_OPTIONS.mutations, ...defaults.mutations },
    },
  });
}
