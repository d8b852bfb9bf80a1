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

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    fetchStatus()
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

  useEffect(() => {
    reload();
    return () => {
      generation.current++; // drop replies that arrive after unmount
    };
  }, [reload]);

  return { data, error, loading, reload };
}
