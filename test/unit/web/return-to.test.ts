import { describe, expect, it } from 'vitest';
import { loginUrlFor, safeReturnPath } from '../../../web/src/lib/return-to.ts';

const origin = 'https://10.20.0.5:3000';

describe('safeReturnPath (sign-in return, open-redirect guard)', () => {
  it('returns to the page the user wanted, query and hash included', () => {
    expect(safeReturnPath('/meetings/3/documents/12', origin)).toBe('/meetings/3/documents/12');
    expect(safeReturnPath('/meetings/3/documents/12?page=4#top', origin)).toBe('/meetings/3/documents/12?page=4#top');
    expect(safeReturnPath('/my', origin)).toBe('/my');
  });

  it('round-trips through the login URL the app builds', () => {
    const path = '/meetings/3/documents/12?page=2&w=1240';
    const next = new URL(loginUrlFor(path), origin).searchParams.get('next');
    expect(safeReturnPath(next, origin)).toBe(path);
  });

  it.each([
    ['absolute URL elsewhere', 'https://evil.example/phish'],
    ['absolute URL on this host', `${origin}/my`],
    ['protocol-relative', '//evil.example/x'],
    ['backslash trick', '/\\evil.example'],
    ['backslash-only', '\\\\evil.example'],
    ['tab inside', '/\t/evil.example'],
    ['newline inside', '/\n/evil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['relative without slash', 'meetings/3'],
    ['empty', ''],
    ['the login page itself (loop)', '/login?next=%2Fmy'],
    ['absurdly long', `/${'a'.repeat(5000)}`],
  ])('refuses %s', (_what, next) => {
    expect(safeReturnPath(next, origin)).toBeNull();
  });

  it('refuses a missing parameter', () => {
    expect(safeReturnPath(null, origin)).toBeNull();
    expect(safeReturnPath(undefined, origin)).toBeNull();
  });

  it('normalises dot segments but never leaves the origin', () => {
    expect(safeReturnPath('/meetings/../my', origin)).toBe('/my');
    // Resolves to the path "//evil.example", which a browser would treat as another host.
    expect(safeReturnPath('/..//evil.example', origin)).toBeNull();
    expect(safeReturnPath('/./%2F%2Fevil.example', origin)).toBe('/%2F%2Fevil.example');
  });
});
