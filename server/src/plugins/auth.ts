import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '@diemcau/shared';
import { createAuthService, inScope, type AuthService, type AuthUser } from '../modules/auth/auth.service.ts';
import { AppError } from '../lib/app-error.ts';

export const SESSION_COOKIE = 'dc_session';

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthService;
    /** preHandler: requires a signed-in user, optionally with one of `roles`. */
    requireUser: (...roles: Role[]) => (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    user: AuthUser | null;
    sessionToken: string | null;
  }
}

/** Reads the session token from the cookie or an `Authorization: Bearer` header. */
export function tokenFrom(cookieToken: string | undefined, authorization: string | undefined): string | null {
  if (cookieToken) return cookieToken;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m?.[1] ?? null;
}

/** Sets the HttpOnly session cookie; `secure` follows the config (HTTPS deployments). */
export function setSessionCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  // Lax, not Strict: a delegate arriving from a scanned QR link must carry the cookie on that first navigation.
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires });
}

export interface AuthPluginOptions {
  sessionTtlHours: number;
}

/** Session authentication for HTTP; the same token authenticates Socket.IO handshakes. */
export default fp<AuthPluginOptions>(
  async (app, opts) => {
    const auth = createAuthService(app.database, { ...opts, limiter: app.rateLimiter });
    app.decorate('auth', auth);
    app.decorateRequest('user', null);
    app.decorateRequest('sessionToken', null);
    app.addHook('onRequest', async (req) => {
      const token = tokenFrom(req.cookies[SESSION_COOKIE], req.headers.authorization);
      req.sessionToken = token;
      req.user = await auth.resolveToken(token);
      // Every per-meeting route lives under /api/meetings/:id: a QR session is turned away from the
      // others here, whatever the route itself checks (the routes check membership as well).
      const m = req.user?.scope ? /^\/api\/meetings\/(\d+)(?:[/?]|$)/.exec(req.url) : null;
      if (m && !inScope(req.user!, Number(m[1]))) throw new AppError('NOT_MEMBER', 403, 'This session is confined to one meeting');
    });
    app.decorate('requireUser', (...roles: Role[]) => async (req: FastifyRequest) => {
      if (!req.user) throw new AppError('UNAUTHENTICATED', 401, 'Sign in first');
      if (roles.length && !roles.includes(req.user.role)) throw new AppError('FORBIDDEN', 403, 'Your role may not do this');
    });
  },
  { name: 'auth', dependencies: ['db', 'security', 'redis'] },
);
