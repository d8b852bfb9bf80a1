// Grafana's app events and toasts, reduced: core creates one EventBusSrv, `setAppEvents(appEvents)`, and its
// AppNotificationList listens (legacy `appEvents.on`) for alert-success / -warning / -error / -info, whose payload is
// `[title, text?]`, showing each as an Alert at the top right for a while (success 3 s, warning 5 s, error 7 s:
// grafana/grafana public/app/types/appNotifications.ts AppNotificationTimeout). A plugin's
// `getAppEvents().publish({ type: AppEvents.alertSuccess.name, payload: [title] })` lands here.
import { AppEvents, EventBusSrv } from '@grafana/data';
import { setAppEvents } from '@grafana/runtime';
import { Alert } from '@grafana/ui';
import { useEffect, useState } from 'react';

export type ToastSeverity = 'success' | 'warning' | 'error' | 'info';

export interface Toast {
  id: number;
  at: number;
  severity: ToastSeverity;
  title: string;
  text: string;
}

const TIMEOUT_MS: Record<ToastSeverity, number> = { success: 3000, warning: 5000, error: 7000, info: 3000 };

/** createSuccessNotification & co. accept [title, text] or an Error-like/object as the text. */
function textOf(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (value instanceof Error) {
    return value.message;
  }
  const message = (value as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(value);
}

export function installAppEvents(onToast: (toast: Toast) => void): { subscribe(listener: (toasts: Toast[]) => void): () => void } {
  const bus = new EventBusSrv();
  setAppEvents(bus);
  let next = 1;
  let shown: Toast[] = [];
  const listeners = new Set<(toasts: Toast[]) => void>();
  const emit = () => listeners.forEach((l) => l(shown));
  const add = (severity: ToastSeverity) => (payload: unknown) => {
    const [title, text] = Array.isArray(payload) ? payload : [payload];
    const toast: Toast = { id: next++, at: Date.now(), severity, title: textOf(title), text: textOf(text) };
    onToast(toast);
    shown = [...shown, toast];
    emit();
    setTimeout(() => {
      shown = shown.filter((t) => t.id !== toast.id);
      emit();
    }, TIMEOUT_MS[severity]);
  };
  bus.on(AppEvents.alertSuccess, add('success'));
  bus.on(AppEvents.alertWarning, add('warning'));
  bus.on(AppEvents.alertError, add('error'));
  bus.on(AppEvents.alertInfo, add('info'));
  return {
    subscribe(listener) {
      listeners.add(listener);
      listener(shown);
      return () => listeners.delete(listener);
    },
  };
}

export function ToastList({ source }: { source: ReturnType<typeof installAppEvents> }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    const off = source.subscribe(setToasts);
    return () => {
      off();
    };
  }, [source]);
  return (
    <div style={{ position: 'fixed', top: 16, right: 16, width: 420, zIndex: 1070 }} data-testid="host-toasts">
      {toasts.map((t) => (
        <div key={t.id} data-testid="host-toast" data-severity={t.severity}>
          <Alert severity={t.severity} title={t.title} elevated>
            {t.text || undefined}
          </Alert>
        </div>
      ))}
    </div>
  );
}
