import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Role } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { bridgePoints, sessions, units, users } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';

/** The authenticated principal attached to a request or socket. */
export interface AuthUser {
  id: number;
  username: string;
  fullName: string;
  title: string;
  role: Role;
  unitId: number | null;
  /** Province the user's unit belongs to; null only for admins without a unit. */
  provinceId: number | null;
  homeBridgePointId: number | null;
  /** The bridge point a bridge_operator runs. */
  bridgePointId: number | null;
  active: boolean;
  /** Set when the session came from a delegate's QR code: confined to one meeting. */
  scope: SessionScope | null;
  /** Hash of the session this principal came with (null when loaded outside a session). */
  sessionId: string | null;
}

/** What a QR-opened session is confined to. */
export interface SessionScope {
  meetingId: number;
  qrJti: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Told which signed-in users lost their sessions, so live connections can be cut too. */
export type SessionsEndedListener = (match: (user: AuthUser) => boolean) => void;

export function createAuthService(db: Db, opts: { sessionTtlHours: number }) {
  const endedListeners: SessionsEndedListener[] = [];
  const sessionsEnded = (match: (user: AuthUser) => boolean) => {
    for (const l of endedListeners) l(match);
  };
  function loadUser(id: number): AuthUser | null {
    const row = db
      .select({ u: users, provinceId: units.provinceId, bpId: bridgePoints.id })
      .from(users)
      .leftJoin(units, eq(units.id, users.unitId))
      .leftJoin(bridgePoints, eq(bridgePoints.operatorUserId, users.id))
      .where(eq(users.id, id))
      .get();
    if (!row) return null;
    const { u } = row;
    return {
      id: u.id,
      username: u.username,
      fullName: u.fullName,
      title: u.title,
      role: u.role,
      unitId: u.unitId,
      provinceId: row.provinceId ?? null,
      homeBridgePointId: u.homeBridgePointId,
      bridgePointId: row.bpId ?? null,
      active: u.active,
      scope: null,
      sessionId: null,
    };
  }

  /** Stores a new session and returns its bearer token (only the hash is kept). */
  function openSession(userId: number, expiresAt: Date, scope: SessionScope | null) {
    const token = randomBytes(32).toString('base64url');
    db.insert(sessions)
      .values({ id: hashToken(token), userId, expiresAt: expiresAt.toISOString(), scopeMeetingId: scope?.meetingId ?? null, qrJti: scope?.qrJti ?? null })
      .run();
    // Opportunistic cleanup keeps the table small without a timer.
    db.delete(sessions).where(lt(sessions.expiresAt, new Date().toISOString())).run();
    return token;
  }
  const ttlEnd = () => new Date(Date.now() + opts.sessionTtlHours * 3600_000);

  return {
    loadUser,

    /** Checks credentials and opens a session. Returns the bearer token. */
    async login(username: string, password: string): Promise<{ token: string; user: AuthUser; expiresAt: Date }> {
      const row = db.select().from(users).where(eq(users.username, username.trim().toLowerCase())).get();
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
      if (!row || !ok || !row.active) throw new AppError('INVALID_CREDENTIALS', 401, 'Wrong username or password');
      const expiresAt = ttlEnd();
      const token = openSession(row.id, expiresAt, null);
      return { token, user: { ...loadUser(row.id)!, sessionId: hashToken(token) }, expiresAt };
    },

    /**
     * Opens a session for the delegate a verified QR token stands for. It lasts
     * no longer than the token and is confined to the token's meeting.
     */
    openQrSession(userId: number, scope: SessionScope, tokenExpiresAt: Date): { token: string; user: AuthUser; expiresAt: Date } {
      const user = loadUser(userId);
      if (!user?.active) throw new AppError('TOKEN_REVOKED', 403, 'The account behind this QR code is disabled');
      const end = ttlEnd();
      const expiresAt = tokenExpiresAt < end ? tokenExpiresAt : end;
      const token = openSession(userId, expiresAt, scope);
      return { token, user: { ...user, scope, sessionId: hashToken(token) }, expiresAt };
    },

    /** Ends every session opened with a QR token (the token was revoked). */
    endQrSessions(qrJti: string): void {
      db.delete(sessions).where(eq(sessions.qrJti, qrJti)).run();
      sessionsEnded((u) => u.scope?.qrJti === qrJti);
    },

    /** Registers a listener for ended sessions (the realtime layer disconnects their sockets). */
    onSessionsEnded(listener: SessionsEndedListener): void {
      endedListeners.push(listener);
    },

    /** Resolves a bearer token to its user, or null when unknown, expired or disabled. */
    resolveToken(token: string | undefined | null): AuthUser | null {
      if (!token || token.length > 200) return null;
      const s = db
        .select()
        .from(sessions)
        .where(and(eq(sessions.id, hashToken(token)), gt(sessions.expiresAt, new Date().toISOString())))
        .get();
      if (!s) return null;
      const user = loadUser(s.userId);
      if (!user?.active) return null;
      const scope = s.scopeMeetingId != null && s.qrJti != null ? { meetingId: s.scopeMeetingId, qrJti: s.qrJti } : null;
      return { ...user, scope, sessionId: s.id };
    },

    /** Ends one session, and the live connections opened with it. */
    logout(token: string): void {
      const id = hashToken(token);
      db.delete(sessions).where(eq(sessions.id, id)).run();
      sessionsEnded((u) => u.sessionId === id);
    },

    /** Ends every session of a user (password change, deactivation). */
    logoutAll(userId: number): void {
      db.delete(sessions).where(eq(sessions.userId, userId)).run();
      sessionsEnded((u) => u.id === userId);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
