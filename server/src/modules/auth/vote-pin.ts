/**
 * The voting PIN. A QR code printed on a sheet is a credential anyone holding
 * the sheet has, so a session opened by it may read the meeting but not vote
 * until the delegate enters a PIN only they know. The PIN is hashed like a
 * password and wrong attempts are throttled per delegate (not per session, so
 * re-scanning the sheet does not buy more guesses).
 */
import { eq } from 'drizzle-orm';
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../../db/database.ts';
import { AppError } from '../../lib/app-error.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { AuthUser } from './auth.service.ts';

/** Wrong PINs a delegate may enter before waiting. */
export const PIN_MAX_ATTEMPTS = 5;
const PIN_LOCK_SECONDS = 15 * 60;

/** Builds the attempts limiter; on a cluster one shared by every node (plugins/redis.ts), so guesses do not multiply by node. */
export type LimiterFactory = (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

export function createVotePin(database: Database, limiter: LimiterFactory = (o) => new RateLimiterMemory(o)) {
  const attempts = limiter({ keyPrefix: 'vote-pin', points: PIN_MAX_ATTEMPTS, duration: PIN_LOCK_SECONDS });
  const pinHashOf = async (userId: number) => {
    const [row] = await database.run(({ q, t }) => q.select({ h: t.users.votePinHash }).from(t.users).where(eq(t.users.id, userId)));
    return row?.h ?? null;
  };
  const sessionUnlocked = async (sessionId: string | null) => {
    if (sessionId == null) return false;
    const [row] = await database.run(({ q, t }) => q.select({ v: t.sessions.pinVerified }).from(t.sessions).where(eq(t.sessions.id, sessionId)));
    return row?.v === true;
  };
  const unlock = async (sessionId: string | null) => {
    if (sessionId) await database.run(({ q, t }) => q.update(t.sessions).set({ pinVerified: true }).where(eq(t.sessions.id, sessionId)));
  };

  /** Refuses a locked-out delegate; otherwise runs `check` and counts a failure against them. */
  async function throttled(userId: number, check: () => Promise<boolean>, fail: AppError): Promise<void> {
    const key = String(userId);
    const seen = await attempts.get(key);
    if (seen && seen.consumedPoints >= PIN_MAX_ATTEMPTS) {
      throw new AppError('RATE_LIMITED', 429, `Too many wrong attempts; try again in ${Math.ceil(seen.msBeforeNext / 60_000)} min`);
    }
    if (await check()) {
      await attempts.delete(key);
      return;
    }
    await attempts.penalty(key, 1);
    throw fail;
  }

  return {
    /** Whether this session must enter a PIN before voting, and whether the delegate has set one. */
    async pinStatus(user: AuthUser): Promise<{ required: boolean; pinSet: boolean }> {
      return { required: user.scope != null && !(await sessionUnlocked(user.sessionId)), pinSet: (await pinHashOf(user.id)) != null };
    },

    /**
     * Enters the PIN in the caller's session and unlocks voting there. A QR
     * session never sets a first PIN: whoever holds the printed sheet could
     * otherwise choose it before the delegate does. The delegate sets it once
     * after a password sign-in (account page).
     */
    async enterPin(user: AuthUser, pin: string): Promise<{ unlocked: true }> {
      const hash = await pinHashOf(user.id);
      if (hash == null) throw new AppError('PIN_NOT_SET', 403, 'No voting PIN yet: sign in with your password once to set it');
      await throttled(user.id, async () => verifyPassword(pin, hash), new AppError('PIN_INVALID', 403, 'Wrong PIN'));
      await unlock(user.sessionId);
      return { unlocked: true };
    },

    /** Sets or replaces the PIN from the account page; the password proves it is the delegate. */
    async setPin(user: AuthUser, password: string, pin: string): Promise<void> {
      const [row] = await database.run(({ q, t }) => q.select({ h: t.users.passwordHash }).from(t.users).where(eq(t.users.id, user.id)));
      await throttled(user.id, async () => verifyPassword(password, row?.h ?? ''), new AppError('INVALID_CREDENTIALS', 401, 'The password is wrong'));
      const votePinHash = await hashPassword(pin);
      await database.run(({ q, t }) => q.update(t.users).set({ votePinHash }).where(eq(t.users.id, user.id)));
    },

    /** The vote gate: a QR-opened session votes only after its PIN was entered; a password session always may. */
    async assertMayVote(user: AuthUser): Promise<void> {
      if (user.scope && !(await sessionUnlocked(user.sessionId))) {
        throw new AppError('PIN_REQUIRED', 403, 'Enter your voting PIN first');
      }
    },
  };
}
