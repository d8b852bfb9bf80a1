import { Observable } from 'rxjs';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest, type FetchResponse } from '@grafana/runtime';

/** What a fake route answers: a body with a status, a network failure, or nothing yet (resolved by the test). */
export type FakeReply = { status: number; data: unknown } | { networkError: true } | 'hang';

export interface FakeCall {
  url: string;
  method: string;
  params?: Record<string, unknown>;
  data?: unknown;
  showErrorAlert?: boolean;
}

/**
 * A BackendSrv whose `fetch` answers from a handler, like Grafana's does: errors carry `{status, data}` (FetchError).
 * Replies of 'hang' stay pending until `release()` answers them, to test slow requests.
 */
export class FakeBackend {
  calls: FakeCall[] = [];
  private pending: Array<(reply: Exclude<FakeReply, 'hang'>) => void> = [];

  constructor(public handler: (call: FakeCall) => FakeReply) {}

  install(): this {
    const fetch = <T>(opts: BackendSrvRequest): Observable<FetchResponse<T>> =>
      new Observable<FetchResponse<T>>((subscriber) => {
        const call: FakeCall = {
          url: opts.url,
          method: opts.method ?? 'GET',
          params: opts.params,
          data: opts.data,
          showErrorAlert: opts.showErrorAlert,
        };
        this.calls.push(call);
        const answer = (reply: Exclude<FakeReply, 'hang'>) => {
          if ('networkError' in reply) {
            subscriber.error({ status: -1, data: undefined, statusText: 'Failed to fetch', config: opts });
          } else if (reply.status >= 400) {
            subscriber.error({
              status: reply.status,
              data: reply.data,
              statusText: `HTTP ${reply.status}`,
              config: opts,
            });
          } else {
            subscriber.next({
              data: reply.data as T,
              status: reply.status,
              ok: true,
              config: opts,
            } as FetchResponse<T>);
            subscriber.complete();
          }
        };
        const reply = this.handler(call);
        if (reply === 'hang') {
          this.pending.push(answer);
        } else {
          // Asynchronous like a real request.
          Promise.resolve().then(() => answer(reply));
        }
      });
    setBackendSrv({ fetch } as unknown as BackendSrv);
    return this;
  }

  /** Answers the oldest hanging request. */
  release(reply: Exclude<FakeReply, 'hang'>): void {
    const next = this.pending.shift();
    if (!next) {
      throw new Error('no hanging request to release');
    }
    next(reply);
  }

  get hanging(): number {
    return this.pending.length;
  }

  callsTo(path: string): FakeCall[] {
    return this.calls.filter((c) => c.url.endsWith(path));
  }
}
