import { useCallback, useEffect, useRef, useState } from 'react';
import { ServiceError, toServiceError } from '../api/client';

export interface ServiceCall<T> {
  data: T | null;
  error: ServiceError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * One call to the service on mount, again on `reload()`; no timer. Only the newest call's answer is kept, and none
 * after unmount. A failure clears the data, so the page never shows an old answer as if it were current.
 * `call` must be stable (a module-level function).
 */
export function useServiceCall<T>(call: () => Promise<T>): ServiceCall<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ServiceError | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  // Sets state only when the reply arrives, so it can run from an effect.
  const load = useCallback(() => {
    const mine = ++generation.current;
    call()
      .then((reply) => {
        if (mine === generation.current) {
          setData(reply);
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (mine === generation.current) {
          setData(null);
          setError(toServiceError(e));
        }
      })
      .finally(() => {
        if (mine === generation.current) {
          setLoading(false);
        }
      });
  }, [call]);

  const reload = useCallback(() => {
    setLoading(true);
    load();
  }, [load]);

  useEffect(() => {
    load();
    const counter = generation;
    return () => {
      counter.current++; // drop replies that arrive after unmount
    };
  }, [load]);

  return { data, error, loading, reload };
}
