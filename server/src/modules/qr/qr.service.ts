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
import type { Database, Store } from '../../db/database.ts';
import { lockForTx } from '../../db/dialect.ts';
import { notFound } from '../../lib/app-error.ts';
import type { QrTokenRow } from '../documents/documents.schema.ts';
import { qrLandingUrl } from './qr.image.ts';
import { newJti, readQrToken, signQrToken, verifyQrToken, type QrTokenKind, type QrVerifyResult } from './qr.token.ts';

export interface QrSettings {
  secret: string;
  publicBaseUrl: string;
  /** Hours after the meeting's end that its codes still work. */
  graceHours: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

/** What serialises the writers of one meeting's codes of one kind. */
const lockKey = (kind: QrTokenKind, meetingId: number) => `qr:${kind}:${meetingId}`;

/**
 * Reads run on their own; the writes (issue, current, reissue, revoke) take the caller's
 * transaction, so a route records its audit entry with them. Writers of one meeting's codes of one
 * kind are serialised (`lockForTx`): "the live code of a subject" is read, then written.
 */
export class QrService {
  readonly #db: Database;
  readonly #s: QrSettings;
  readonly #now: () => Date;

  constructor(db: Database, settings: QrSettings) {
    this.#db = db;
    this.#s = settings;
    this.#now = settings.now ?? (() => new Date());
  }

  now(): Date {
    return this.#now();
  }

  /** Until when the codes of a meeting work: its end plus the grace (epoch 0 for an unknown meeting). */
  validUntil(meetingId: number): Promise<Date> {
    return this.#db.run((s) => this.#validUntil(s, meetingId));
  }

  async #validUntil({ q, t }: Store, meetingId: number): Promise<Date> {
    const [m] = await q.select({ endsAt: t.meetings.endsAt }).from(t.meetings).where(eq(t.meetings.id, meetingId));
    return new Date(m ? Date.parse(m.endsAt) + this.#s.graceHours * 3600_000 : 0);
  }

  /** Issues and records a new token, in the caller's transaction. */
  async issue(s: Store, kind: QrTokenKind, meetingId: number, subjectId: number, createdBy: number | null): Promise<QrTokenRow> {
    const exp = Math.floor((await this.#validUntil(s, meetingId)).getTime() / 1000);
    const claims = { kind, meetingId, subjectId, jti: newJti(), exp };
    const t = signQrToken(this.#s.secret, claims);
    const [row] = await s.q
      .insert(s.t.qrTokens)
      .values({ jti: claims.jti, meetingId, kind, subjectId, payload: t.payload, expiresAt: new Date(exp * 1000).toISOString(), createdBy, createdAt: this.#now().toISOString() })
      .returning();
    return row!;
  }

  /** The subjects' live (unrevoked) tokens, in their order, issuing those missing: reprinting gives the same codes. */
  async current(s: Store, kind: QrTokenKind, meetingId: number, subjectIds: readonly number[], createdBy: number | null): Promise<QrTokenRow[]> {
    await lockForTx(s, lockKey(kind, meetingId));
    const { qrTokens } = s.t;
    const live = new Map<number, QrTokenRow>();
    const rows = await s.q
      .select()
      .from(qrTokens)
      .where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.kind, kind), isNull(qrTokens.revokedAt)))
      .orderBy(qrTokens.createdAt);
    // The oldest live token of each subject is its code.
    for (const r of rows) if (!live.has(r.subjectId)) live.set(r.subjectId, r);
    const out: QrTokenRow[] = [];
    for (const id of subjectIds) {
      let row = live.get(id);
      if (!row) live.set(id, (row = await this.issue(s, kind, meetingId, id, createdBy)));
      out.push(row);
    }
    return out;
  }

  /** Revokes every live token of the subject and issues a new one, in the caller's transaction. Returns the new row and the revoked jtis (their sessions must end). */
  async reissue(s: Store, kind: QrTokenKind, meetingId: number, subjectId: number, by: number): Promise<{ row: QrTokenRow; revoked: string[] }> {
    await lockForTx(s, lockKey(kind, meetingId));
    const { qrTokens } = s.t;
    const revoked = await s.q
      .update(qrTokens)
      .set({ revokedAt: this.#now().toISOString(), revokedBy: by })
      .where(and(eq(qrTokens.meetingId, meetingId), eq(qrTokens.kind, kind), eq(qrTokens.subjectId, subjectId), isNull(qrTokens.revokedAt)))
      .returning({ jti: qrTokens.jti });
    return { row: await this.issue(s, kind, meetingId, subjectId, by), revoked: revoked.map((r) => r.jti) };
  }

  /** The token string of a stored row (re-signed from its payload fields). */
  tokenOf(row: QrTokenRow): string {
    const exp = Math.floor(new Date(row.expiresAt).getTime() / 1000);
    return signQrToken(this.#s.secret, { kind: row.kind, meetingId: row.meetingId, subjectId: row.subjectId, jti: row.jti, exp }).token;
  }

  urlOf(row: QrTokenRow): string {
    return qrLandingUrl(this.#s.publicBaseUrl, this.tokenOf(row));
  }

  get(meetingId: number, jti: string): Promise<QrTokenRow> {
    return this.#db.run((s) => this.#get(s, meetingId, jti));
  }

  async #get({ q, t }: Store, meetingId: number, jti: string): Promise<QrTokenRow> {
    const [row] = await q.select().from(t.qrTokens).where(and(eq(t.qrTokens.meetingId, meetingId), eq(t.qrTokens.jti, jti)));
    if (!row) throw notFound('QR token');
    return row;
  }

  async verify(token: unknown, meetingId?: number): Promise<QrVerifyResult> {
    const read = readQrToken(token);
    if (!read) return verifyQrToken(this.#s.secret, token);
    // The registry's record and the meeting's validity, fetched for the jti and meeting the token
    // names; verifyQrToken trusts none of it unless the signature holds.
    const { issued, until } = await this.#db.run(async (s) => {
      const { qrTokens } = s.t;
      const [r] = await s.q.select({ payload: qrTokens.payload, revokedAt: qrTokens.revokedAt }).from(qrTokens).where(eq(qrTokens.jti, read.claims.jti));
      return { issued: r && { payload: r.payload, revoked: r.revokedAt != null }, until: await this.#validUntil(s, read.claims.meetingId) };
    });
    return verifyQrToken(this.#s.secret, token, {
      ...(meetingId !== undefined && { meetingId }),
      now: this.#now(),
      validUntil: () => Math.floor(until.getTime() / 1000),
      lookup: () => issued,
    });
  }

  /** Revokes one token of the meeting (404 when it has no such token), in the caller's transaction. */
  async revoke(s: Store, meetingId: number, jti: string, by: number): Promise<QrTokenRow> {
    await this.#get(s, meetingId, jti);
    const [row] = await s.q.update(s.t.qrTokens).set({ revokedAt: this.#now().toISOString(), revokedBy: by }).where(eq(s.t.qrTokens.jti, jti)).returning();
    return row!;
  }

  list(meetingId: number): Promise<QrTokenInfo[]> {
    return this.#db.run(async (s) => {
      const { qrTokens, users, bridgePoints } = s.t;
      const rows = await s.q.select().from(qrTokens).where(eq(qrTokens.meetingId, meetingId)).orderBy(qrTokens.createdAt);
      const userNames = new Map((await s.q.select({ id: users.id, n: users.fullName }).from(users)).map((r) => [r.id, r.n]));
      const bpNames = new Map((await s.q.select({ id: bridgePoints.id, n: bridgePoints.name }).from(bridgePoints)).map((r) => [r.id, r.n]));
      const until = await this.#validUntil(s, meetingId);
      return rows.map((r) => this.info(r, (r.kind === 'delegate' ? userNames.get(r.subjectId) : bpNames.get(r.subjectId)) ?? '', until));
    });
  }

  /** A token as listed; `validUntil` (of its meeting) is the meeting-bound validity now, not the one known at issue. */
  info(r: QrTokenRow, subjectName: string, validUntil: Date): QrTokenInfo {
    return { jti: r.jti, kind: r.kind, meetingId: r.meetingId, subjectId: r.subjectId, subjectName, url: this.urlOf(r), expiresAt: validUntil.toISOString(), revokedAt: r.revokedAt };
  }
}
