import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorResponse, LoginBody, Me, Ok, PasswordChangeBody, VotePinSetBody, VotePinStatus } from '@diemcau/shared';
import { SESSION_COOKIE, setSessionCookie } from '../../plugins/auth.ts';
import { AppError } from '../../lib/app-error.ts';
import { appendAudit, requestAudit } from '../audit/audit.store.ts';
import type { AuthUser } from './auth.service.ts';
import { canonicalUsername } from './password-policy.ts';

/** The `Me` body for a user. */
export const toMe = (u: AuthUser) => ({
  user: { id: u.id, username: u.username, fullName: u.fullName, title: u.title, role: u.role, unitId: u.unitId, homeBridgePointId: u.homeBridgePointId, active: u.active },
  provinceId: u.provinceId,
  bridgePointId: u.bridgePointId,
  scopeMeetingId: u.scope?.meetingId ?? null,
});

export interface AuthRoutesOptions {
  cookieSecure: boolean;
  /** Login attempts per minute for one (canonical) username. */
  loginRateMax: number;
  /** Login attempts per minute from one IP address, whatever the username. */
  loginIpRateMax: number;
}

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse };

/** Login, logout, the current user, and the user's own password and voting PIN. */
const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  // Two buckets: one per canonical username, so 'Admin', ' admin ' and 'ａｄｍｉｎ' are one target,
  // and one per IP, so one machine cannot try a password across many usernames.
  // On a cluster both are kept in Redis (plugins/redis.ts): spreading attempts over the nodes buys nothing.
  const perUser = app.rateLimiter({ keyPrefix: 'login-user', points: opts.loginRateMax, duration: 60 });
  const perIp = app.rateLimiter({ keyPrefix: 'login-ip', points: opts.loginIpRateMax, duration: 60 });
  /** Audits an action by (or, failing a login, towards) the requesting user, in a transaction of its own. */
  const audit = (req: FastifyRequest, action: string, targetId: number | null, details?: unknown) =>
    app.database.tx((s) => appendAudit(s, requestAudit(req, action, 'user', targetId, details)));
  const throttle = async (reply: FastifyReply, ip: string, username: string) => {
    try {
      await Promise.all([perIp.consume(ip), perUser.consume(username)]);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const s = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      reply.header('retry-after', String(s));
      throw new AppError('RATE_LIMITED', 429, `Too many attempts; try again in ${s} s`);
    }
  };

  app.post('/auth/login', { schema: { tags: ['auth'], body: LoginBody, response: { 200: Me, ...errors } } }, async (req, reply) => {
    const username = canonicalUsername(req.body.username);
    await throttle(reply, req.ip, username);
    let session: Awaited<ReturnType<typeof app.auth.login>>;
    try {
      session = await app.auth.login(username, req.body.password);
    } catch (err) {
      // Failed logins are evidence of guessing; the username is kept (canonical, never the password).
      if (err instanceof AppError) await audit(req, 'auth.login_failed', null, { username: username.slice(0, 64), code: err.code });
      throw err;
    }
    const { token, user, expiresAt } = session;
    req.user = user;
    await audit(req, 'auth.login', user.id);
    setSessionCookie(reply, token, expiresAt, opts.cookieSecure);
    // The token is also returned for non-browser clients (bridge PCs' kiosk apps, tests).
    return { ...toMe(user), token };
  });

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 200: Ok } } }, async (req, reply) => {
    if (req.sessionToken) await app.auth.logout(req.sessionToken);
    if (req.user) await audit(req, 'auth.logout', req.user.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get('/auth/me', { onRequest: app.requireUser(), schema: { tags: ['auth'], response: { 200: Me, 401: ErrorResponse } } }, (req) => toMe(req.user!));

  // Every user changes their own password; a QR session cannot (it never proved the password).
  app.post('/auth/password', { onRequest: app.requireUser(), schema: { tags: ['auth'], body: PasswordChangeBody, response: { 200: Ok, ...errors } } }, async (req, reply) => {
    const user = req.user!;
    if (user.scope) throw new AppError('FORBIDDEN', 403, 'Sign in with your password to change it');
    // A stolen session must not become a way to guess the password: same buckets as the login.
    await throttle(reply, req.ip, user.username);
    await app.auth.changeOwnPassword(user, req.body.currentPassword, req.body.newPassword);
    await audit(req, 'auth.password_change', user.id);
    return { ok: true as const };
  });

  app.get('/auth/pin', { onRequest: app.requireUser(), schema: { tags: ['auth'], response: { 200: VotePinStatus, 401: ErrorResponse } } }, async (req) => ({ pinSet: (await app.auth.pinStatus(req.user!)).pinSet }));

  app.put('/auth/pin', { onRequest: app.requireUser(), schema: { tags: ['auth'], body: VotePinSetBody, response: { 200: Ok, ...errors } } }, async (req) => {
    const user = req.user!;
    if (user.scope) throw new AppError('FORBIDDEN', 403, 'Sign in with your password to change the PIN');
    await app.auth.setPin(user, req.body.password, req.body.pin);
    await audit(req, 'auth.pin_set', user.id);
    return { ok: true as const };
  });
};

export default authRoutes;
