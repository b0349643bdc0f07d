/**
 * Where to send a user after sign-in. `/login?next=…` carries the page they
 * wanted (say a confidential document's viewer); anything that could leave
 * this origin is refused, so a crafted link cannot turn the login page into an
 * open redirect to a look-alike site.
 */

const hasControlChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** `next` when it is a path on `origin` (other than the login page), else null. */
export function safeReturnPath(next: string | null | undefined, origin: string): string | null {
  if (!next || next.length > 2048) return null;
  // Only a root-relative path. "//host" and "/\host" are protocol-relative in browsers,
  // and browsers drop tabs/newlines inside URLs ("/\t/host"), so refuse those outright.
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\') || hasControlChar(next)) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  // Dot segments can still resolve to "//host" ("/..//host").
  if (url.origin !== new URL(origin).origin || url.pathname.startsWith('//') || url.pathname === '/login') return null;
  return url.pathname + url.search + url.hash;
}

/** The login page that brings the user back to `path` afterwards. */
export function loginUrlFor(path: string): string {
  return `/login?next=${encodeURIComponent(path)}`;
}
