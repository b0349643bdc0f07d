import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import { AppError } from '../lib/app-error.ts';

/** Security headers, cookies and rate limiting (opt-in per route). */
export default fp(
  async (app) => {
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
          connectSrc: ["'self'", 'ws:', 'wss:'],
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
  },
  { name: 'security' },
);
