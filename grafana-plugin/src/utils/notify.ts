import { AppEvents } from '@grafana/data';
import { getAppEvents } from '@grafana/runtime';

/** A Grafana toast (app event); nothing outside Grafana, where no event bus is set. */
export function notifySuccess(title: string, text?: string): void {
  getAppEvents()?.publish({ type: AppEvents.alertSuccess.name, payload: text ? [title, text] : [title] });
}

export function notifyError(title: string, text?: string): void {
  getAppEvents()?.publish({ type: AppEvents.alertError.name, payload: text ? [title, text] : [title] });
}
