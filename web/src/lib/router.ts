import { createStore } from './store.ts';

/** Current path (pathname + search). The server falls back to index.html for client routes. */
export const route = createStore(location.pathname + location.search);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === route.get()) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  route.set(to);
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => route.set(location.pathname + location.search));

// Paths the server answers itself (API, file downloads, the QR landing page).
const serverPaths = /^\/(api|q|socket\.io)(\/|$)/;

// Same-origin links become client navigations: no reload, so the live socket survives.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || serverPaths.test(url.pathname)) return;
  // In-page anchors (the skip link) keep their default jump.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

/** Matches `/meetings/:id/console` against a path; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const [pathname = ''] = path.split('?');
  const p = pattern.split('/').filter(Boolean);
  const s = pathname.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const val = s[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(val);
    else if (seg !== val) return null;
  }
  return params;
}

export function queryParam(name: string): string | null {
  return new URLSearchParams(route.get().split('?')[1] ?? '').get(name);
}
