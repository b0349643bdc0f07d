import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, lt, ne, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Role } from '@diemcau/shared';
import type { Database, Schema, Store } from '../../db/database.ts';
import { hot } from '../../db/dialect.ts';
import { AppError } from '../../lib/app-error.ts';
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

interface PrincipalRow {
  u: Schema['users']['$inferSelect'];
  provinceId: number | null;
  bpId: number | null;
}

function toAuthUser({ u, provinceId, bpId }: PrincipalRow): AuthUser {
  return {
    id: u.id,
    username: u.username,
    fullName: u.fullName,
    title: u.title,
    role: u.role,
    unitId: u.unitId,
    provinceId: provinceId ?? null,
    homeBridgePointId: u.homeBridgePointId,
    bridgePointId: bpId ?? null,
    active: u.active,
    scope: null,
    sessionId: null,
    sessionExpiresAt: null,
  };
}

/** A user, active or not, outside any session; null when unknown. */
export async function loadUser({ q, t }: Store, id: number): Promise<AuthUser | null> {
  const { users, units, bridgePoints } = t;
  const [row] = await q
    .select({ u: users, provinceId: units.provinceId, bpId: bridgePoints.id })
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .leftJoin(bridgePoints, eq(bridgePoints.operatorUserId, users.id))
    .where(eq(users.id, id));
  return row ? toAuthUser(row) : null;
}

/** Sessions not ended, not expired, of an active account. */
const liveWhere = ({ t }: Store, which: SQL, now: SQLWrapper | string): SQL => and(which, gt(t.sessions.expiresAt, now), eq(t.users.active, true))!;

// Every handshake and every HTTP request asks, and after a restart 2,000 handshakes arrive at once:
// prepared, because building this query cost ~15 times what running it does.
const liveSessionQuery = hot((s) => {
  const { sessions, users, units, bridgePoints } = s.t;
  return s.q
    .select({ u: users, provinceId: units.provinceId, bpId: bridgePoints.id, session: sessions })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(units, eq(units.id, users.unitId))
    .leftJoin(bridgePoints, eq(bridgePoints.operatorUserId, users.id))
    .where(liveWhere(s, eq(sessions.id, sql.placeholder('id')), sql.placeholder('now')));
});

/** The user behind a live session, or null when it ended, expired or its account was disabled. */
async function liveSession(s: Store, sessionId: string): Promise<AuthUser | null> {
  const [row] = await liveSessionQuery(s, { id: sessionId, now: new Date().toISOString() });
  if (!row) return null;
  const { scopeMeetingId, qrJti, expiresAt } = row.session;
  const scope = scopeMeetingId != null && qrJti != null ? { meetingId: scopeMeetingId, qrJti } : null;
  return { ...toAuthUser(row), scope, sessionId, sessionExpiresAt: new Date(expiresAt).getTime() };
}

// Session ids per query in liveSessionIds: far below either engine's limit on bound parameters.
const LIVE_CHECK_CHUNK = 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Told which signed-in users lost their sessions, so live connections can be cut too. */
export type SessionsEndedListener = (match: (user: AuthUser) => boolean) => void;
/** Cuts the live connections of sessions just ended: call it once the transaction that ended them has committed. */
export type SessionsEndedNotice = () => void;

/**
 * Sign-in, sessions and the voting PIN. Methods that compose with a caller's transaction take its
 * Store (loadUser, openQrSession, logoutAll); the others run on `database` themselves and must not
 * be called inside a `database.run`/`tx` callback (the SQLite mutex is not re-entrant).
 */
export function createAuthService(database: Database, opts: { sessionTtlHours: number; limiter?: LimiterFactory }) {
  const endedListeners: SessionsEndedListener[] = [];
  const sessionsEnded = (match: (user: AuthUser) => boolean) => {
    for (const l of endedListeners) l(match);
  };

  /** Stores a new session and returns its bearer token (only the hash is kept). */
  async function openSession({ q, t }: Store, userId: number, expiresAt: Date, scope: SessionScope | null): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await q
      .insert(t.sessions)
      .values({ id: hashToken(token), userId, expiresAt: expiresAt.toISOString(), scopeMeetingId: scope?.meetingId ?? null, qrJti: scope?.qrJti ?? null });
    // Opportunistic cleanup keeps the table small without a timer.
    await q.delete(t.sessions).where(lt(t.sessions.expiresAt, new Date().toISOString()));
    return token;
  }
  const ttlEnd = () => new Date(Date.now() + opts.sessionTtlHours * 3600_000);
  const inSession = (user: AuthUser, token: string, expiresAt: Date): AuthUser => ({ ...user, sessionId: hashToken(token), sessionExpiresAt: expiresAt.getTime() });

  /** Deletes the sessions `which` selects through `s`; the notice cuts the connections `match` picks. */
  async function endSessions({ q, t }: Store, which: SQL | undefined, match: (u: AuthUser) => boolean): Promise<SessionsEndedNotice> {
    await q.delete(t.sessions).where(which);
    return () => sessionsEnded(match);
  }
  /** Ends every session of a user except `keepSessionId`. */
  const endSessionsOf = (s: Store, userId: number, keepSessionId: string | null) =>
    endSessions(s, and(eq(s.t.sessions.userId, userId), keepSessionId ? ne(s.t.sessions.id, keepSessionId) : undefined), (u) => u.id === userId && u.sessionId !== keepSessionId);
  const pin = createVotePin(database, opts.limiter);

  return {
    loadUser,
    ...pin,

    /** Checks credentials and opens a session. Returns the bearer token. */
    async login(username: string, password: string): Promise<{ token: string; user: AuthUser; expiresAt: Date }> {
      const name = canonicalUsername(username);
      const [row] = await database.run(({ q, t }) => q.select().from(t.users).where(eq(t.users.username, name)));
      const ok = await verifyPassword(password, row?.passwordHash ?? DUMMY_HASH);
      if (!row || !ok || !row.active) throw new AppError('INVALID_CREDENTIALS', 401, 'Wrong username or password');
      const expiresAt = ttlEnd();
      return database.run(async (s) => {
        const token = await openSession(s, row.id, expiresAt, null);
        return { token, user: inSession((await loadUser(s, row.id))!, token, expiresAt), expiresAt };
      });
    },

    /**
     * Opens a session for the delegate a verified QR token stands for. It lasts
     * no longer than the token and is confined to the token's meeting.
     */
    async openQrSession(s: Store, userId: number, scope: SessionScope, tokenExpiresAt: Date): Promise<{ token: string; user: AuthUser; expiresAt: Date }> {
      const user = await loadUser(s, userId);
      if (!user?.active) throw new AppError('TOKEN_REVOKED', 403, 'The account behind this QR code is disabled');
      const end = ttlEnd();
      const expiresAt = tokenExpiresAt < end ? tokenExpiresAt : end;
      const token = await openSession(s, userId, expiresAt, scope);
      return { token, user: { ...inSession(user, token, expiresAt), scope }, expiresAt };
    },

    /** Ends every session opened with a QR token (the token was revoked), and their live connections. */
    async endQrSessions(qrJti: string): Promise<void> {
      const notice = await database.run((s) => endSessions(s, eq(s.t.sessions.qrJti, qrJti), (u) => u.scope?.qrJti === qrJti));
      notice();
    },

    /** Registers a listener for ended sessions (the realtime layer disconnects their sockets). */
    onSessionsEnded(listener: SessionsEndedListener): void {
      endedListeners.push(listener);
    },

    /** Resolves a bearer token to its user, or null when unknown, expired or disabled. */
    async resolveToken(token: string | undefined | null): Promise<AuthUser | null> {
      if (!token || token.length > 200) return null;
      const id = hashToken(token);
      return database.run((s) => liveSession(s, id));
    },

    /** Whether a session is still live (not ended, not expired, its account active). */
    async isSessionLive(sessionId: string | null): Promise<boolean> {
      return sessionId != null && (await database.run((s) => liveSession(s, sessionId))) != null;
    },

    /**
     * Which of these sessions are still live, a query per thousand: the live connections' sessions
     * are re-checked together once a second (plugins/realtime-session.ts).
     */
    async liveSessionIds(ids: readonly string[]): Promise<Set<string>> {
      const live = new Set<string>();
      for (let i = 0; i < ids.length; i += LIVE_CHECK_CHUNK) {
        const chunk = ids.slice(i, i + LIVE_CHECK_CHUNK);
        const rows = await database.run((s) => {
          const { sessions, users } = s.t;
          return s.q
            .select({ id: sessions.id })
            .from(sessions)
            .innerJoin(users, eq(users.id, sessions.userId))
            .where(liveWhere(s, inArray(sessions.id, chunk), new Date().toISOString()));
        });
        for (const r of rows) live.add(r.id);
      }
      return live;
    },

    /** The user changes their own password: the current one is required and every other session ends. */
    async changeOwnPassword(user: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
      const [row] = await database.run(({ q, t }) => q.select({ h: t.users.passwordHash }).from(t.users).where(eq(t.users.id, user.id)));
      if (!row || !(await verifyPassword(currentPassword, row.h))) throw new AppError('INVALID_CREDENTIALS', 401, 'The current password is wrong');
      assertPasswordPolicy(newPassword, user.username);
      const passwordHash = await hashPassword(newPassword);
      const notice = await database.tx(async (s) => {
        await s.q.update(s.t.users).set({ passwordHash }).where(eq(s.t.users.id, user.id));
        // This session stays: the user just proved the password; everyone else holding an old session is out.
        return endSessionsOf(s, user.id, user.sessionId);
      });
      notice();
    },

    /** Ends one session, and the live connections opened with it. */
    async logout(token: string): Promise<void> {
      const id = hashToken(token);
      const notice = await database.run((s) => endSessions(s, eq(s.t.sessions.id, id), (u) => u.sessionId === id));
      notice();
    },

    /** Ends every session of a user (password change, deactivation) in the caller's transaction; call the notice once it has committed. */
    logoutAll(s: Store, userId: number): Promise<SessionsEndedNotice> {
      return endSessionsOf(s, userId, null);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
