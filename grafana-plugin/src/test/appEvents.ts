import { AppEvents, type BusEventWithPayload } from '@grafana/data';
import { setAppEvents } from '@grafana/runtime';

export interface Toast {
  kind: 'success' | 'error' | 'other';
  payload: unknown[];
}

/** Installs an app-event bus that records the toasts the plugin publishes (Grafana shows them as alerts). */
export function captureToasts(): Toast[] {
  const toasts: Toast[] = [];
  const publish = (event: BusEventWithPayload<unknown[]> | { type: string; payload?: unknown[] }) => {
    const kind =
      event.type === AppEvents.alertSuccess.name
        ? 'success'
        : event.type === AppEvents.alertError.name
          ? 'error'
          : 'other';
    toasts.push({ kind, payload: event.payload ?? [] });
  };
  setAppEvents({ publish } as unknown as Parameters<typeof setAppEvents>[0]);
  return toasts;
}
