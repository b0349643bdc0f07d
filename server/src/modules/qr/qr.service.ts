/**
 * The QR token registry: issues signed tokens (qr.token.ts) and records each
 * one in qr_tokens so it can be listed, re-printed, reissued and revoked.
 *
 * A code is valid from its issue until its meeting's end plus a grace period,
 * read from the meeting at every scan: printing a week early is fine, and
 * moving the meeting moves the codes' validity with it.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { QrTokenInfo } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { bridgePoints, meetings, users } from '../../db/schema.ts';
import { notFound } from '../../lib/app-error.ts';
import { qrTokens, type QrTokenRow } from '../documents/documents.schema.ts';
import { qrLandingUrl } from './qr.image.ts';
import { newJti, signQrToken, verifyQrToken, type QrTokenKind, type QrVerifyResult } from './qr.token.ts';

export interface QrSettings {
  secret: string;
  publicBaseUrl: string;
  /** Hours after the meeting's end that its codes still work. */
  graceHours: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

export class QrService {
  readonly #db: Db;
  readonly #s: QrSettings;
  readonly #now: () => Date;

  constructor(db: Db, settings: QrSettings) {
    this.#db = db;
    this.#s = settings;
    this.#now = settings.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  /** Until when the codes of a meeting work: its end plus the grace (epoch 0 for an unknown meeting). */
  validUntil(meetingId: number): Date {
    const m = this.#db.select({ endsAt: meetings.endsAt }).from(meetings).where(eq(meetings.id, meetingId)).get();
    return new Date(m ? Date.parse(m.endsAt) + this.#s.graceHours * 3600_000 : 0);
  }

  /** Issues and records a new token (through `db` when inside a transaction). */
  issue(kind: QrTokenKind, meetingId: number, subjectId: number, createdBy: number | null, db: Db = this.#db): QrTokenRow {
    const exp = Math.floor(this.validUntil(meetingId).getTime() / 1000);
    const claims = { kind, meetingId, subjectId, jti: newJti(), exp };
    const t = signQrToken(this.#s.secret, claims);
    return db
      .insert(qrTokens)
      .values({ jti: claims.jti, meetingId, kind, subjectId, payload: t.payload, expiresAt: new Date(exp * 1000).toISOString(), createdBy, createdAt: this.#now().toISOString() })
      .returning()
      .get();
  }

  /** The subject's live (unrevoked) token, issuing one if needed: reprinting gives the same code. */
  current(kind: QrTokenKind, meetingId: number, subjectId: number, createdBy: number | null): QrTokenRow {
    const row = this.#db
      .select()
      .from(qrTokens)
      .where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.kind, kind), eq(qrTokens.subjectId, subjectId), isNull(qrTokens.revokedAt)))
      .orderBy(qrTokens.createdAt)
      .get();
    return row ?? this.issue(kind, meetingId, subjectId, createdBy);
  }

  /**
   * Revokes every live token of the subject and issues a new one, in one
   * transaction. Returns the new row and the revoked jtis (their sessions must end).
   */
  reissue(kind: QrTokenKind, meetingId: number, subjectId: number, by: number): { row: QrTokenRow; revoked: string[] } {
    return this.#db.transaction((tx) => {
      const revoked = tx
        .update(qrTokens)
        .set({ revokedAt: this.#now().toISOString(), revokedBy: by })
        .where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.kind, kind), eq(qrTokens.subjectId, subjectId), isNull(qrTokens.revokedAt)))
        .returning({ jti: qrTokens.jti })
        .all()
        .map((r) => r.jti);
      return { row: this.issue(kind, meetingId, subjectId, by, tx as unknown as Db), revoked };
    });
  }

  /** The token string of a stored row (re-signed from its payload fields). */
  tokenOf(row: QrTokenRow): string {
    const exp = Math.floor(new Date(row.expiresAt).getTime() / 1000);
    return signQrToken(this.#s.secret, { kind: row.kind, meetingId: row.meetingId, subjectId: row.subjectId, jti: row.jti, exp }).token;
  }

  urlOf(row: QrTokenRow): string {
    return qrLandingUrl(this.#s.publicBaseUrl, this.tokenOf(row));
  }

  get(meetingId: number, jti: string): QrTokenRow {
    const row = this.#db.select().from(qrTokens).where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.jti, jti))).get();
    if (!row) throw notFound('QR token');
    return row;
  }

  verify(token: unknown, meetingId?: number): QrVerifyResult {
    return verifyQrToken(this.#s.secret, token, {
      ...(meetingId !== undefined && { meetingId }),
      now: this.#now(),
      validUntil: (claims) => Math.floor(this.validUntil(claims.meetingId).getTime() / 1000),
      lookup: (jti) => {
        const r = this.#db.select({ payload: qrTokens.payload, revokedAt: qrTokens.revokedAt }).from(qrTokens).where(eq(qrTokens.jti, jti)).get();
        return r && { payload: r.payload, revoked: r.revokedAt != null };
      },
    });
  }

  revoke(meetingId: number, jti: string, by: number): QrTokenRow {
    this.get(meetingId, jti);
    return this.#db.update(qrTokens).set({ revokedAt: this.#now().toISOString(), revokedBy: by }).where(eq(qrTokens.jti, jti)).returning().get()!;
  }

  list(meetingId: number): QrTokenInfo[] {
    const rows = this.#db.select().from(qrTokens).where(eq(qrTokens.meetingId, meetingId)).orderBy(qrTokens.createdAt).all();
    const userNames = new Map(this.#db.select({ id: users.id, n: users.fullName }).from(users).all().map((r) => [r.id, r.n]));
    const bpNames = new Map(this.#db.select({ id: bridgePoints.id, n: bridgePoints.name }).from(bridgePoints).all().map((r) => [r.id, r.n]));
    return rows.map((r) => this.info(r, (r.kind === 'delegate' ? userNames.get(r.subjectId) : bpNames.get(r.subjectId)) ?? ''));
  }

  /** A token as listed; `expiresAt` is the meeting-bound validity now, not the one known at issue. */
  info(r: QrTokenRow, subjectName: string): QrTokenInfo {
    return { jti: r.jti, kind: r.kind, meetingId: r.meetingId, subjectId: r.subjectId, subjectName, url: this.urlOf(r), expiresAt: this.validUntil(r.meetingId).toISOString(), revokedAt: r.revokedAt };
  }
}
