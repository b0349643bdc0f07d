import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponse, LoginBody, Me, Ok } from '@diemcau/shared';
import { SESSION_COOKIE, setSessionCookie } from '../../plugins/auth.ts';
import type { AuthUser } from './auth.service.ts';

/** The `Me` body for a user. */
export const toMe = (u: AuthUser) => ({
  user: { id: u.id, username: u.username, fullName: u.fullName, title: u.title, role: u.role, unitId: u.unitId, homeBridgePointId: u.homeBridgePointId, active: u.active },
  provinceId: u.provinceId,
  bridgePointId: u.bridgePointId,
  scopeMeetingId: u.scope?.meetingId ?? null,
});

export interface AuthRoutesOptions {
  cookieSecure: boolean;
  loginRateMax: number;
}

/** Login, logout and the current user. */
const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  app.post(
    '/auth/login',
    {
      config: {
        // Per IP and username: a typo-prone elderly user on a shared hall PC is not locked out by a neighbour.
        rateLimit: { hook: 'preHandler', max: opts.loginRateMax, timeWindow: '1 minute', keyGenerator: (req) => `${req.ip}|${String((req.body as { username?: unknown } | undefined)?.username ?? '').toLowerCase()}` },
      },
      schema: { tags: ['auth'], body: LoginBody, response: { 200: Me, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse } },
    },
    async (req, reply) => {
      const { token, user, expiresAt } = await app.auth.login(req.body.username, req.body.password);
      req.user = user;
      req.audit('auth.login', 'user', user.id);
      setSessionCookie(reply, token, expiresAt, opts.cookieSecure);
      // The token is also returned for non-browser clients (bridge PCs' kiosk apps, tests).
      return { ...toMe(user), token };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 200: Ok } } }, async (req, reply) => {
    if (req.sessionToken) app.auth.logout(req.sessionToken);
    if (req.user) req.audit('auth.logout', 'user', req.user.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get('/auth/me', { onRequest: app.requireUser(), schema: { tags: ['auth'], response: { 200: Me, 401: ErrorResponse } } }, (req) => toMe(req.user!));
};

export default authRoutes;
