import { useCallback, useEffect } from 'react';
import { useSearchParams } from 'react-router-dom';
import { locationService } from '@grafana/runtime';
import { PLUGIN_ID, SETTINGS_TABS, type SettingsTab } from '@jobscope/contract';

export const TAB_STORAGE_KEY = `${PLUGIN_ID}.settings.tab`;
export const DEFAULT_TAB: SettingsTab = 'general';

export function isSettingsTab(value: unknown): value is SettingsTab {
  return typeof value === 'string' && (SETTINGS_TABS as readonly string[]).includes(value);
}

function storedTab(): SettingsTab | null {
  try {
    const value = window.sessionStorage.getItem(TAB_STORAGE_KEY);
    return isSettingsTab(value) ? value : null;
  } catch {
    return null; // storage can be disabled; the URL still works
  }
}

function storeTab(tab: SettingsTab): void {
  try {
    window.sessionStorage.setItem(TAB_STORAGE_KEY, tab);
  } catch {
    // ignore: remembering the tab is a convenience
  }
}

/**
 * Active Settings tab: `?tab=` when present (an unknown value falls back to General), else the last tab used in this
 * browser session, else General; the URL is then rewritten to name it. Switching pushes a history entry, so back/forward
 * switch tabs.
 */
export function useSettingsTab(): [SettingsTab, (tab: SettingsTab) => void] {
  const [params] = useSearchParams();
  const fromUrl = params.get('tab');
  const tab: SettingsTab =
    fromUrl !== null ? (isSettingsTab(fromUrl) ? fromUrl : DEFAULT_TAB) : (storedTab() ?? DEFAULT_TAB);

  useEffect(() => {
    storeTab(tab);
  }, [tab]);

  // Make the resolved tab explicit in the URL (replacing, not pushing) so back/forward return to the right tab.
  const explicit = fromUrl === tab;
  useEffect(() => {
    if (!explicit) {
      locationService.partial({ tab }, true);
    }
  }, [explicit, tab]);

  const setTab = useCallback((next: SettingsTab) => {
    storeTab(next);
    locationService.partial({ tab: next });
  }, []);

  return [tab, setTab];
}
