/**
 * The QR token registry: issues signed tokens (qr.token.ts) and records each
 * one in qr_tokens so it can be listed, re-printed and revoked.
 */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { QrTokenInfo } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { bridgePoints, users } from '../../db/schema.ts';
import { notFound } from '../../lib/app-error.ts';
import { qrTokens, type QrTokenRow } from '../documents/documents.schema.ts';
import { qrLandingUrl } from './qr.image.ts';
import { issueQrToken, signQrToken, verifyQrToken, type QrTokenKind, type QrVerifyResult } from './qr.token.ts';

export interface QrSettings {
  secret: string;
  publicBaseUrl: string;
  ttlHours: number;
}

export class QrService {
  readonly #db: Db;
  readonly #s: QrSettings;

  constructor(db: Db, settings: QrSettings) {
    this.#db = db;
    this.#s = settings;
  }

  /** Issues and records a new token. */
  issue(kind: QrTokenKind, meetingId: number, subjectId: number, createdBy: number | null): QrTokenRow {
    const t = issueQrToken(this.#s.secret, { kind, meetingId, subjectId, ttlSeconds: this.#s.ttlHours * 3600 });
    return this.#db
      .insert(qrTokens)
      .values({ jti: t.claims.jti, meetingId, kind, subjectId, payload: t.payload, expiresAt: new Date(t.claims.exp * 1000).toISOString(), createdBy })
      .returning()
      .get();
  }

  /** A live (unrevoked, not expiring within the hour) token for the subject, issuing one if needed. */
  current(kind: QrTokenKind, meetingId: number, subjectId: number, createdBy: number | null): QrTokenRow {
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const row = this.#db
      .select()
      .from(qrTokens)
      .where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.kind, kind), eq(qrTokens.subjectId, subjectId), isNull(qrTokens.revokedAt), gt(qrTokens.expiresAt, soon)))
      .get();
    return row ?? this.issue(kind, meetingId, subjectId, createdBy);
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
      lookup: (jti) => {
        const r = this.#db.select({ payload: qrTokens.payload, revokedAt: qrTokens.revokedAt }).from(qrTokens).where(eq(qrTokens.jti, jti)).get();
        return r && { payload: r.payload, revoked: r.revokedAt != null };
      },
    });
  }

  revoke(meetingId: number, jti: string, by: number): QrTokenRow {
    this.get(meetingId, jti);
    return this.#db.update(qrTokens).set({ revokedAt: new Date().toISOString(), revokedBy: by }).where(eq(qrTokens.jti, jti)).returning().get()!;
  }

  list(meetingId: number): QrTokenInfo[] {
    const rows = this.#db.select().from(qrTokens).where(eq(qrTokens.meetingId, meetingId)).orderBy(qrTokens.createdAt).all();
    const userNames = new Map(this.#db.select({ id: users.id, n: users.fullName }).from(users).all().map((r) => [r.id, r.n]));
    const bpNames = new Map(this.#db.select({ id: bridgePoints.id, n: bridgePoints.name }).from(bridgePoints).all().map((r) => [r.id, r.n]));
    return rows.map((r) => this.info(r, (r.kind === 'delegate' ? userNames.get(r.subjectId) : bpNames.get(r.subjectId)) ?? ''));
  }

  info(r: QrTokenRow, subjectName: string): QrTokenInfo {
    return { jti: r.jti, kind: r.kind, meetingId: r.meetingId, subjectId: r.subjectId, subjectName, url: this.urlOf(r), expiresAt: r.expiresAt, revokedAt: r.revokedAt };
  }
}
