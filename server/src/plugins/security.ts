import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import { AppError } from '../lib/app-error.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Whether a request (HTTP or the Socket.IO handshake) with these headers comes from one of our pages:
     * refuses a foreign Origin (or Referer); `proofRequired` also refuses when neither header is there.
     */
    sameSiteRequest: (headers: IncomingHttpHeaders, secure: boolean, proofRequired: boolean) => boolean;
  }
}

export interface SecurityOptions {
  publicBaseUrl: string;
  /** Further origins (scheme://host[:port]) whose pages belong to this server. */
  allowedOrigins: string[];
  /** The session cookie's name: a request carrying it is what a forged cross-site request rides on. */
  sessionCookie: string;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const originOf = (url: string | undefined): string | null => {
  if (!url) return null;
  try {
    const o = new URL(url).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
};

/**
 * Cross-site request check. SameSite=Lax cookies already keep most forged requests
 * cookieless, but Lax still sends the cookie on top-level navigations and older
 * browsers ignore SameSite, so the Origin header is checked as well:
 * - a present Origin must be one of ours (the request's own Host, PUBLIC_BASE_URL, ALLOWED_ORIGINS);
 *   `Origin: null` (sandboxed frames, opaque redirects) is never ours;
 * - without Origin, a present Referer must be ours;
 * - with neither, `proofRequired` decides. A state-changing HTTP request riding a session cookie
 *   must prove its origin (browsers send Origin on every cross-site POST, so only old or odd clients
 *   get here); without a cookie there is no ambient credential to abuse (bearer clients, tests).
 *   The socket handshake does not require it: browsers always send Origin on WebSocket and
 *   cross-origin XHR, while a same-origin polling GET carries neither header, and a cross-site
 *   no-cors GET cannot read the handshake answer.
 */
export function checkOrigin(allowed: ReadonlySet<string>, headers: IncomingHttpHeaders, secure: boolean, proofRequired: boolean): boolean {
  const ours = (origin: string | null) => origin != null && (allowed.has(origin) || (headers.host != null && origin === `${secure ? 'https' : 'http'}://${headers.host}`));
  if (headers.origin !== undefined) return ours(originOf(headers.origin));
  if (typeof headers.referer === 'string') return ours(originOf(headers.referer));
  return !proofRequired;
}

/** Security headers, cookies, cross-site request checks and rate limiting (opt-in per route). */
export default fp<SecurityOptions>(
  async (app, opts) => {
    const own = [opts.publicBaseUrl, ...opts.allowedOrigins].map((u) => originOf(u)).filter((o): o is string => o != null);
    const allowed = new Set(own);
    // CSP Level 3 browsers count ws(s) of the page's own host as 'self'; older ones need them spelt out.
    const sockets = own.flatMap((o) => [o, o.replace(/^http/, 'ws')]);
    await app.register(cookie);
    await app.register(helmet, {
      // Strict same-origin CSP: the government network has no internet, so the
      // client never needs a third-party origin; blob: is for media and viewers.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          mediaSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", ...sockets],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      // The LAN may be plain http until the local CA is installed; HSTS there would lock bridges out.
      hsts: false,
      crossOriginEmbedderPolicy: false,
    });
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) =>
        new AppError('RATE_LIMITED', 429, `Too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s`),
    });

    app.decorate('sameSiteRequest', (headers: IncomingHttpHeaders, secure: boolean, proofRequired: boolean) => checkOrigin(allowed, headers, secure, proofRequired));
    app.addHook('onRequest', async (req: FastifyRequest) => {
      if (!STATE_CHANGING.has(req.method)) return;
      if (!checkOrigin(allowed, req.headers, req.protocol === 'https', req.cookies[opts.sessionCookie] !== undefined)) {
        throw new AppError('CROSS_ORIGIN', 403, 'This request came from a page of another site');
      }
    });
  },
  { name: 'security' },
);
