/**
 * HMAC-signed, expiring QR tokens. Pure: no DB, no HTTP. The token is the
 * credential of the QR landing page, so it is short (small, easy-to-scan QR
 * codes on a printed sheet) and self-describing:
 *
 *   1.<kind>.<meetingId36>.<subjectId36>.<jti>.<exp36>.<sig>
 *
 * kind `d` = a delegate's personal QR (subject = user id), `v` = the venue QR of
 * a meeting (subject = bridge point id, 0 = the whole meeting). `jti` is the
 * revocation id stored in qr_tokens; `sig` is HMAC-SHA256 truncated to 128 bits
 * (base64url), which is ample for an online-checked credential.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type QrTokenKind = 'delegate' | 'venue';

export interface QrClaims {
  kind: QrTokenKind;
  meetingId: number;
  /** User id for `delegate`, bridge point id (0 = none) for `venue`. */
  subjectId: number;
  /** Revocation id, unique per issued token. */
  jti: string;
  /** Expiry, unix seconds. */
  exp: number;
}

/** What the token registry knows about an issued jti. */
export interface IssuedToken {
  /** The exact signed payload that was issued under this jti. */
  payload: string;
  revoked: boolean;
}

export type QrFailure = 'malformed' | 'forged' | 'tampered' | 'expired' | 'revoked' | 'wrong_meeting';

export type QrVerifyResult =
  | { ok: true; claims: QrClaims; payload: string }
  | { ok: false; reason: QrFailure; claims?: QrClaims };

export interface VerifyOptions {
  now?: Date;
  /** When given, a token for another meeting fails with `wrong_meeting`. */
  meetingId?: number;
  /**
   * Registry lookup. Lets verify tell a tampered real token (known jti, bad
   * signature) from a forged one, and see revocations.
   */
  lookup?: (jti: string) => IssuedToken | undefined;
  /**
   * The authoritative expiry (unix seconds) of an authentic token, overriding its
   * `exp` claim. The registry binds codes to their meeting's end, which can move
   * after the code was printed; `exp` records the validity known at issue.
   */
  validUntil?: (claims: QrClaims) => number;
}

const VERSION = '1';
const KIND_CODE: Record<QrTokenKind, string> = { delegate: 'd', venue: 'v' };
const CODE_KIND: Record<string, QrTokenKind> = { d: 'delegate', v: 'venue' };
// Domain separation: the same app secret also signs other things.
const DOMAIN = 'diemcau.qr.v1|';
const SIG_BYTES = 16;
const JTI_RE = /^[A-Za-z0-9_-]{16}$/;
const B36_RE = /^[0-9a-z]{1,12}$/;
const SIG_RE = /^[A-Za-z0-9_-]{22}$/;
const MAX_TOKEN_LENGTH = 200;

/** A fresh random revocation id (12 random bytes, base64url). */
export const newJti = (): string => randomBytes(12).toString('base64url');

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(DOMAIN + payload).digest().subarray(0, SIG_BYTES);
}

function encodePayload(c: QrClaims): string {
  return [VERSION, KIND_CODE[c.kind], c.meetingId.toString(36), c.subjectId.toString(36), c.jti, c.exp.toString(36)].join('.');
}

/** Parses the unsigned part; null when it is not a well-formed payload. */
function decodePayload(parts: string[]): QrClaims | null {
  const [v, k, m, s, jti, exp] = parts;
  if (v !== VERSION || !k || !m || !s || !jti || !exp) return null;
  const kind = CODE_KIND[k];
  if (!kind || !B36_RE.test(m) || !B36_RE.test(s) || !B36_RE.test(exp) || !JTI_RE.test(jti)) return null;
  const claims: QrClaims = { kind, meetingId: parseInt(m, 36), subjectId: parseInt(s, 36), jti, exp: parseInt(exp, 36) };
  if (!Number.isSafeInteger(claims.meetingId) || claims.meetingId < 1 || !Number.isSafeInteger(claims.subjectId)) return null;
  if (kind === 'delegate' && claims.subjectId < 1) return null;
  return claims;
}

/** Signs claims; returns the token and the payload to store for tamper detection. */
export function signQrToken(secret: string, claims: QrClaims): { token: string; payload: string } {
  if (!JTI_RE.test(claims.jti)) throw new Error('jti must be 16 base64url characters (use newJti())');
  if (!Number.isSafeInteger(claims.meetingId) || claims.meetingId < 1) throw new Error('meetingId must be a positive integer');
  if (!Number.isSafeInteger(claims.subjectId) || claims.subjectId < 0) throw new Error('subjectId must be a non-negative integer');
  if (!Number.isSafeInteger(claims.exp) || claims.exp < 0) throw new Error('exp must be unix seconds');
  const payload = encodePayload(claims);
  return { token: `${payload}.${sign(secret, payload).toString('base64url')}`, payload };
}

/** Issues a token valid for `ttlSeconds` from `now`. */
export function issueQrToken(
  secret: string,
  c: { kind: QrTokenKind; meetingId: number; subjectId: number; ttlSeconds: number; now?: Date; jti?: string },
): { token: string; payload: string; claims: QrClaims } {
  const now = Math.floor((c.now ?? new Date()).getTime() / 1000);
  const claims: QrClaims = { kind: c.kind, meetingId: c.meetingId, subjectId: c.subjectId, jti: c.jti ?? newJti(), exp: now + c.ttlSeconds };
  return { ...signQrToken(secret, claims), claims };
}

/**
 * What a well-formed token says, NOT verified (null when malformed): lets the registry fetch the
 * jti's record and the meeting's validity before `verifyQrToken` decides.
 */
export function readQrToken(token: unknown): { claims: QrClaims; payload: string; sigText: string } | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 7) return null;
  const sigText = parts[6]!;
  const claims = decodePayload(parts.slice(0, 6));
  if (!claims || !SIG_RE.test(sigText)) return null;
  return { claims, payload: parts.slice(0, 6).join('.'), sigText };
}

/**
 * Verifies a token. Order matters: nothing about an unsigned token is trusted,
 * so expiry/revocation/meeting are only reported for authentic ones.
 */
export function verifyQrToken(secret: string, token: unknown, opts: VerifyOptions = {}): QrVerifyResult {
  const read = readQrToken(token);
  if (!read) return { ok: false, reason: 'malformed' };
  const { claims, payload, sigText } = read;
  const issued = opts.lookup?.(claims.jti);
  // Compare the text, not decoded bytes: base64 ignores the low bits of the last
  // character, so decoding would accept several spellings of one signature.
  const given = Buffer.from(sigText);
  const expected = Buffer.from(sign(secret, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // A real jti with a signature that no longer matches: someone edited a genuine link.
    return { ok: false, reason: issued ? 'tampered' : 'forged' };
  }
  // Authentic but unknown to the registry (e.g. database reset) or issued with
  // different fields: no longer honoured.
  if (opts.lookup && (!issued || issued.payload !== payload)) return { ok: false, reason: 'revoked', claims };
  if (issued?.revoked) return { ok: false, reason: 'revoked', claims };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if ((opts.validUntil ? opts.validUntil(claims) : claims.exp) <= now) return { ok: false, reason: 'expired', claims };
  if (opts.meetingId !== undefined && claims.meetingId !== opts.meetingId) return { ok: false, reason: 'wrong_meeting', claims };
  return { ok: true, claims, payload };
}

/** HTTP status and error code for a failed verification. */
export function qrFailureStatus(reason: QrFailure): { status: 401 | 403; code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_REVOKED' | 'FORBIDDEN' } {
  switch (reason) {
    case 'expired':
      return { status: 401, code: 'TOKEN_EXPIRED' };
    case 'revoked':
      return { status: 403, code: 'TOKEN_REVOKED' };
    case 'wrong_meeting':
      return { status: 403, code: 'FORBIDDEN' };
    default:
      return { status: 401, code: 'TOKEN_INVALID' };
  }
}
