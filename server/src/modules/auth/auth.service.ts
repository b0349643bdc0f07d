import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt, ne, sql } from 'drizzle-orm';
import type { Role } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { bridgePoints, sessions, units, users } from '../../db/schema.ts';
import { AppError } from '../../lib/app-error.ts';
import { preparedFor } from '../../lib/prepared.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.ts';
import { assertPasswordPolicy, canonicalUsername } from './password-policy.ts';
import { createVotePin, type LimiterFactory } from './vote-pin.ts';

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
  /** When that session ends (ms since epoch); null outside a session. */
  sessionExpiresAt: number | null;
}

/** What a QR-opened session is confined to. */
export interface SessionScope {
  meetingId: number;
  qrJti: string;
}

/** Whether the user's session may see meeting `meetingId`: a QR-opened session sees its own meeting only. */
export const inScope = (user: Pick<AuthUser, 'scope'>, meetingId: number | null | undefined): boolean => !user.scope || user.scope.meetingId === meetingId;

// Every handshake and, once a second per connection, every command re-reads the session and its user:
// after a restart 2,000 handshakes arrive at once, and building these queries anew cost more than running them.
const userById = preparedFor((db) =>
  db
    .select({ u: users, provinceId: units.provinceId, bpId: bridgePoints.id })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .leftJoin(bridgePoints, eq(bridgePoints.operatorUserId, users.id))
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
);
const liveSessionById = preparedFor((db) =>
  db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sql.placeholder('id')), gt(sessions.expiresAt, sql.placeholder('now'))))
    .prepare(),
);

// The ids travel as one JSON array parameter, so the statement is prepared once whatever their number.
const liveAmong = preparedFor((db) =>
  db
    .select({ id: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(sql`${sessions.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`, gt(sessions.expiresAt, sql.placeholder('now')), eq(users.active, true)))
    .prepare(),
);

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Told which signed-in users lost their sessions, so live connections can be cut too. */
export type SessionsEndedListener = (match: (user: AuthUser) => boolean) => void;

export function createAuthService(db: Db, opts: { sessionTtlHours: number; limiter?: LimiterFactory }) {
  const endedListeners: SessionsEndedListener[] = [];
  const sessionsEnded = (match: (user: AuthUser) => boolean) => {
    for (const l of endedListeners) l(match);
  };
  function loadUser(id: number): AuthUser | null {
    const row = userById(db).get({ id });
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
      sessionExpiresAt: null,
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
  const inSession = (user: AuthUser, token: string, expiresAt: Date): AuthUser => ({ ...user, sessionId: hashToken(token), sessionExpiresAt: expiresAt.getTime() });

  /** The live session row behind a session id, or null when ended, expired or its user disabled. */
  function liveSession(sessionId: string) {
    const s = liveSessionById(db).get({ id: sessionId, now: new Date().toISOString() });
    if (!s) return null;
    const user = loadUser(s.userId);
    return user?.active ? { s, user } : null;
  }
  /** Ends every session of a user except `keepSessionId`, and their live connections. */
  function endSessionsOf(userId: number, keepSessionId: string | null): void {
    db.delete(sessions).where(and(eq(sessions.userId, userId), keepSessionId ? ne(sessions.id, keepSessionId) : undefined)).run();
    sessionsEnded((u) => u.id === userId && u.sessionId !== keepSessionId);
  }
  const pin = createVotePin(db, opts.limiter);

  return {
    loadUser,
    ...pin,

    /** Checks credentials and opens a session. Returns the bearer token. */
    async login(username: string, password: string): Promise<{ token: string; user: AuthUser; expiresAt: Date }> {
      const row = db.select().from(users).where(eq(users.username, canonicalUsername(username))).get();
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
      if (!row || !ok || !row.active) throw new AppError('INVALID_CREDENTIALS', 401, 'Wrong username or password');
      const expiresAt = ttlEnd();
      const token = openSession(row.id, expiresAt, null);
      return { token, user: inSession(loadUser(row.id)!, token, expiresAt), expiresAt };
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
      return { token, user: { ...inSession(user, token, expiresAt), scope }, expiresAt };
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
      const live = liveSession(hashToken(token));
      if (!live) return null;
      const { s, user } = live;
      const scope = s.scopeMeetingId != null && s.qrJti != null ? { meetingId: s.scopeMeetingId, qrJti: s.qrJti } : null;
      return { ...user, scope, sessionId: s.id, sessionExpiresAt: new Date(s.expiresAt).getTime() };
    },

    /** Whether a session is still live (not ended, not expired, its account active). */
    isSessionLive(sessionId: string | null): boolean {
      return sessionId != null && liveSession(sessionId) != null;
    },

    /**
     * Which of these sessions are still live, in one query however many there are: the live
     * connections' sessions are re-checked together once a second (plugins/realtime-session.ts).
     */
    liveSessionIds(ids: readonly string[]): Set<string> {
      const rows = liveAmong(db).all({ ids: JSON.stringify(ids), now: new Date().toISOString() });
      return new Set(rows.map((r) => r.id));
    },

    /** The user changes their own password: the current one is required and every other session ends. */
    async changeOwnPassword(user: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
      const row = db.select({ h: users.passwordHash }).from(users).where(eq(users.id, user.id)).get();
      if (!row || !(await verifyPassword(currentPassword, row.h))) throw new AppError('INVALID_CREDENTIALS', 401, 'The current password is wrong');
      assertPasswordPolicy(newPassword, user.username);
      const passwordHash = await hashPassword(newPassword);
      db.update(users).set({ passwordHash }).where(eq(users.id, user.id)).run();
      // This session stays: the user just proved the password; everyone else holding an old session is out.
      endSessionsOf(user.id, user.sessionId);
    },

    /** Ends one session, and the live connections opened with it. */
    logout(token: string): void {
      const id = hashToken(token);
      db.delete(sessions).where(eq(sessions.id, id)).run();
      sessionsEnded((u) => u.sessionId === id);
    },

    /** Ends every session of a user (password change, deactivation). */
    logoutAll(userId: number): void {
      endSessionsOf(userId, null);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
