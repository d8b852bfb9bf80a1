// Grafana core turns clicks on same-app links into client-side navigation (public/app/core/navigation/patch/
// interceptLinkClicks.ts, registered on document in app.ts): an <a href> without target is pushed to locationService
// instead of reloading the page. Without this a plugin's <TextLink href> would reload here but not in Grafana.
import { locationUtil } from '@grafana/data';
import { locationService } from '@grafana/runtime';

export function interceptLinkClicks(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const anchor = event.target instanceof Element ? event.target.closest('a') : null;
  if (!anchor) {
    return;
  }
  let href = anchor.getAttribute('href');
  if (!href || anchor.getAttribute('target')) {
    return;
  }
  href = locationUtil.stripBaseFromUrl(href);
  if (href[0] !== '/') {
    if (href.includes('://') || /^\s*mailto:/i.test(href)) {
      return; // another site: the browser follows it
    }
    if (href.startsWith('#')) {
      return;
    }
    href = `/${href}`;
  }
  event.preventDefault();
  locationService.push(href);
}
