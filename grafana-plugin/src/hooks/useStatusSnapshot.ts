import { useCallback, useEffect, useRef, useState } from 'react';
import type { StatusResponse } from '@jobscope/contract';
import { fetchStatus, ServiceError, toServiceError } from '../api/client';

export interface StatusSnapshot {
  data: StatusResponse | null;
  error: ServiceError | null;
  loading: boolean;
  reload: () => void;
}

/** One status request on mount (General and Queues tabs), again on `reload()`; no timer. */
export function useStatusSnapshot(): StatusSnapshot {
  const [data, setData] = useState<StatusResponse | null>(null);
  const [error, setError] = useState<ServiceError | null>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);

  // Sets state only when the reply arrives, so it can run from an effect.
  const load = useCallback(() => {
    const mine = ++generation.current;
    // Only queues, Redis and versions are used here: ask for the smallest job list.
    fetchStatus({ limit: 1 })
      .then((reply) => {
        if (mine === generation.current) {
          setData(reply);
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (mine === generation.current) {
          setError(toServiceError(e));
        }
      })
      .finally(() => {
        if (mine === generation.current) {
          setLoading(false);
        }
      });
  }, []);

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
