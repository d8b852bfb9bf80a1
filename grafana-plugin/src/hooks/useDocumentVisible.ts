import { useSyncExternalStore } from 'react';
import { focusManager } from '@tanstack/react-query';
// Installs the document `visibilitychange` listener of the focus manager.
import '../api/queryClient';

const subscribe = (onChange: () => void) => focusManager.subscribe(onChange);
const isVisible = () => focusManager.isFocused();

/** True while the browser tab is visible, as TanStack Query's focus manager sees it (`document.visibilityState`). */
export function useDocumentVisible(): boolean {
  return useSyncExternalStore(subscribe, isVisible, () => true);
}
