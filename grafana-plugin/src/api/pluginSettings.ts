import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { JobscopeSettings } from '../types';

export interface SettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: JobscopeSettings;
  /** Only sent when the token was changed: an empty string would overwrite the stored token. */
  secureJsonData?: { apiToken: string };
}

/** Saves the app's settings in Grafana (not a service call): `POST /api/plugins/<id>/settings`. */
export async function savePluginSettings(pluginId: string, update: SettingsUpdate): Promise<void> {
  await lastValueFrom(
    getBackendSrv().fetch({
      url: `/api/plugins/${pluginId}/settings`,
      method: 'POST',
      data: update,
      showErrorAlert: false,
    })
  );
}
