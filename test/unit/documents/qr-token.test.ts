import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  issueQrToken,
  newJti,
  qrFailureStatus,
  signQrToken,
  verifyQrToken,
  type IssuedToken,
} from '../../../server/src/modules/qr/qr.token.ts';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = new Date('2025-06-01T08:00:00Z');

function issue(over: Partial<Parameters<typeof issueQrToken>[1]> = {}) {
  const t = issueQrToken(SECRET, { kind: 'delegate', meetingId: 12, subjectId: 345, ttlSeconds: 3600, now: NOW, ...over });
  const registry = new Map<string, IssuedToken>([[t.claims.jti, { payload: t.payload, revoked: false }]]);
  return { ...t, registry, lookup: (jti: string) => registry.get(jti) };
}

describe('QR tokens', () => {
  it('verifies a fresh token and returns its claims', () => {
    const t = issue();
    const r = verifyQrToken(SECRET, t.token, { now: NOW, meetingId: 12, lookup: t.lookup });
    expect(r).toEqual({ ok: true, claims: t.claims, payload: t.payload });
    expect(t.claims).toMatchObject({ kind: 'delegate', meetingId: 12, subjectId: 345, exp: NOW.getTime() / 1000 + 3600 });
    // Short enough for a small QR symbol.
    expect(t.token.length).toBeLessThan(70);
    expect(t.token).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('venue tokens may have subject 0, delegate tokens may not', () => {
    const v = issue({ kind: 'venue', subjectId: 0 });
    expect(verifyQrToken(SECRET, v.token, { now: NOW, lookup: v.lookup }).ok).toBe(true);
    expect(() => signQrToken(SECRET, { kind: 'delegate', meetingId: 1, subjectId: -1, jti: newJti(), exp: 1 })).toThrow();
    const d = signQrToken(SECRET, { kind: 'delegate', meetingId: 1, subjectId: 0, jti: newJti(), exp: 2e9 });
    expect(verifyQrToken(SECRET, d.token).ok).toBe(false);
  });

  it('reports expiry only once the token is past exp', () => {
    const t = issue();
    const at = (s: number) => verifyQrToken(SECRET, t.token, { now: new Date(NOW.getTime() + s * 1000), lookup: t.lookup });
    expect(at(3599).ok).toBe(true);
    expect(at(3600)).toMatchObject({ ok: false, reason: 'expired', claims: { jti: t.claims.jti } });
  });

  it('tells a forged signature from a tampered genuine token', () => {
    const t = issue();
    const parts = t.token.split('.');
    const forgedSig = [...parts.slice(0, 6), 'A'.repeat(22)].join('.');
    // Unknown jti + bad signature: made up from nothing.
    const otherJti = [...parts.slice(0, 4), newJti(), ...parts.slice(5, 6), parts[6]].join('.');
    expect(verifyQrToken(SECRET, forgedSig, { now: NOW, lookup: () => undefined })).toMatchObject({ reason: 'forged' });
    expect(verifyQrToken(SECRET, otherJti, { now: NOW, lookup: t.lookup })).toMatchObject({ reason: 'forged' });
    // Same jti, meeting id edited: a real link someone altered.
    const tampered = [parts[0], parts[1], (13).toString(36), ...parts.slice(3)].join('.');
    expect(verifyQrToken(SECRET, tampered, { now: NOW, lookup: t.lookup })).toMatchObject({ ok: false, reason: 'tampered' });
    // A token signed with another key never verifies.
    const other = issueQrToken('another-secret-another-secret-0123456789', { kind: 'delegate', meetingId: 12, subjectId: 345, ttlSeconds: 60, now: NOW });
    expect(verifyQrToken(SECRET, other.token, { now: NOW })).toMatchObject({ ok: false, reason: 'forged' });
  });

  it('rejects a token for another meeting', () => {
    const t = issue();
    expect(verifyQrToken(SECRET, t.token, { now: NOW, meetingId: 99, lookup: t.lookup })).toMatchObject({ ok: false, reason: 'wrong_meeting' });
  });

  it('honours revocation, and refuses authentic tokens the registry does not know', () => {
    const t = issue();
    t.registry.set(t.claims.jti, { payload: t.payload, revoked: true });
    expect(verifyQrToken(SECRET, t.token, { now: NOW, lookup: t.lookup })).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verifyQrToken(SECRET, t.token, { now: NOW, lookup: () => undefined })).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('treats garbage as malformed without throwing', () => {
    for (const bad of [undefined, null, 42, '', 'abc', 'a.b.c.d.e.f.g', 'x'.repeat(500), '1.d.c.9l.short.abc.' + 'A'.repeat(22), '1.z.c.9l.AAAAAAAAAAAAAAAA.abc.' + 'A'.repeat(22)]) {
      expect(verifyQrToken(SECRET, bad)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('no single-character edit of a token verifies', () => {
    const t = issue();
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
    fc.assert(
      fc.property(fc.nat(t.token.length - 1), fc.constantFrom(...alphabet), (i, ch) => {
        fc.pre(t.token[i] !== ch);
        const edited = t.token.slice(0, i) + ch + t.token.slice(i + 1);
        expect(verifyQrToken(SECRET, edited, { now: NOW, lookup: t.lookup }).ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('maps failures to 401/403 and error codes', () => {
    expect(qrFailureStatus('expired')).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(qrFailureStatus('forged')).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    expect(qrFailureStatus('tampered')).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    expect(qrFailureStatus('malformed')).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    expect(qrFailureStatus('revoked')).toEqual({ status: 403, code: 'TOKEN_REVOKED' });
    expect(qrFailureStatus('wrong_meeting')).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
});
