import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { AppError } from '../lib/app-error.ts';

/**
 * Serves the built web client (web/dist) with an SPA fallback. API and
 * socket paths never fall back to index.html, so a typo'd API URL is a JSON 404.
 *
 * Files are sent precompressed (the build writes .br/.gz beside them). Vite puts a content
 * hash in every name under assets/, so those are cached for a year without revalidation;
 * everything else (index.html above all, which names the current hashes) is revalidated
 * on every load so a new release is picked up at once.
 */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export default fp<{ distDir: string }>(
  async (app, opts) => {
    const hasDist = existsSync(join(opts.distDir, 'index.html'));
    if (hasDist) {
      const hashed = `${sep}assets${sep}`;
      await app.register(fastifyStatic, {
        root: opts.distDir,
        wildcard: false,
        index: false,
        preCompressed: true,
        cacheControl: false,
        setHeaders: (res, path) => res.setHeader('cache-control', path.includes(hashed) ? IMMUTABLE : 'no-cache'),
      });
    } else {
      app.log.warn({ distDir: opts.distDir }, 'web client not built; run `pnpm --filter @diemcau/web build`');
    }
    app.setNotFoundHandler((req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      if (hasDist && req.method === 'GET' && !/^\/(api|socket\.io|docs|q)\b/.test(path) && !/\.[a-z0-9]+$/i.test(path)) {
        return reply.header('cache-control', 'no-cache').sendFile('index.html');
      }
      throw new AppError('NOT_FOUND', 404, `No route ${req.method} ${path}`);
    });
  },
  { name: 'web' },
);
