// A BackendSrv on window.fetch, standing in for Grafana core's BackendSrv (public/app/core/services/backend_srv.ts).
// Reproduced: relative URLs resolve against the app root, `params` become the query, objects are sent as JSON,
// non-2xx answers error with a FetchError-shaped object, `requestId` cancels the previous request with the same id,
// and failures that do not set `showErrorAlert: false` are recorded as the error toast Grafana would show.
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, Observable } from 'rxjs';

export interface ErrorAlert {
  url: string;
  status: number;
  message: string;
}

function toUrl(options: BackendSrvRequest): string {
  const path = /^https?:\/\//.test(options.url) || options.url.startsWith('/') ? options.url : `/${options.url}`;
  if (!options.params || Object.keys(options.params).length === 0) {
    return path;
  }
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.params as Record<string, unknown>)) {
    if (value === undefined || value === null) {
      continue;
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      query.append(key, String(v));
    }
  }
  const qs = query.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

function toBody(data: unknown): { body?: BodyInit; contentType?: string } {
  if (data === undefined) {
    return {};
  }
  if (typeof data === 'string' || data instanceof FormData || data instanceof Blob || data instanceof URLSearchParams) {
    return { body: data };
  }
  return { body: JSON.stringify(data), contentType: 'application/json' };
}

export function createBackendSrv(onErrorAlert: (alert: ErrorAlert) => void): BackendSrv {
  const inFlight = new Map<string, AbortController>();

  function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      if (options.requestId) {
        inFlight.get(options.requestId)?.abort();
        inFlight.set(options.requestId, controller);
      }
      const url = toUrl(options);
      const { body, contentType } = toBody(options.data);
      const headers: Record<string, string> = { Accept: 'application/json, text/plain, */*', 'X-Grafana-Org-Id': '1' };
      if (contentType) {
        headers['Content-Type'] = contentType;
      }
      Object.assign(headers, options.headers ?? {});
      const method = (options.method ?? 'GET').toUpperCase();
      window
        .fetch(url, { method, headers, body, signal: controller.signal, credentials: 'same-origin' })
        .then(async (r) => {
          const text = await r.text();
          let data: unknown = text;
          if (text && options.responseType !== 'text') {
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
          }
          const response = {
            data: data as T,
            status: r.status,
            statusText: r.statusText,
            ok: r.ok,
            headers: r.headers,
            url: r.url,
            type: r.type,
            redirected: r.redirected,
            config: options,
          } as FetchResponse<T>;
          if (!r.ok) {
            const message = (data as { message?: string; error?: { message?: string } })?.message ??
              (data as { error?: { message?: string } })?.error?.message ?? r.statusText;
            const error: FetchError = { status: r.status, statusText: r.statusText, data, config: options } as FetchError;
            if (options.showErrorAlert !== false) {
              onErrorAlert({ url, status: r.status, message: String(message) });
            }
            subscriber.error(error);
            return;
          }
          subscriber.next(response);
          subscriber.complete();
        })
        .catch((e: unknown) => {
          if (controller.signal.aborted) {
            // Grafana completes a cancelled request with a `cancelled` FetchError.
            subscriber.error({ status: -1, statusText: 'Request was aborted', data: {}, cancelled: true, config: options });
            return;
          }
          if (options.showErrorAlert !== false) {
            onErrorAlert({ url, status: 0, message: String(e) });
          }
          subscriber.error({ status: 0, statusText: String(e), data: { message: String(e) }, config: options });
        })
        .finally(() => {
          if (options.requestId && inFlight.get(options.requestId) === controller) {
            inFlight.delete(options.requestId);
          }
        });
      return () => controller.abort();
    });
  }

  const promised = <T,>(options: BackendSrvRequest): Promise<T> =>
    lastValueFrom(fetchObservable<T>(options)).then((r) => r.data);

  return {
    fetch: fetchObservable,
    get: (url, params, requestId, options) => promised({ ...options, url, params, requestId, method: 'GET' }),
    delete: (url, data, options) => promised({ ...options, url, data, method: 'DELETE' }),
    post: (url, data, options) => promised({ ...options, url, data, method: 'POST' }),
    patch: (url, data, options) => promised({ ...options, url, data, method: 'PATCH' }),
    put: (url, data, options) => promised({ ...options, url, data, method: 'PUT' }),
    request: (options) => promised(options),
    datasourceRequest: (options) => lastValueFrom(fetchObservable(options)),
    chunked: () => {
      throw new Error('chunked() is not available in the jobscope preview host');
    },
  } as BackendSrv;
}
