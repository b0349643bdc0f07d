/**
 * Error responses that a person may see in a browser: an HTML page in
 * Vietnamese (English with ?lang=en) when the client asks for HTML, the usual
 * `{error:{code,message}}` JSON otherwise.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import { errorPage, errorText, pickLang, type ErrorKind } from './qr.pages.ts';

/** True when the client prefers HTML to JSON (a phone or a browser tab following a link). */
export function wantsHtml(req: FastifyRequest, defaultHtml: boolean): boolean {
  const accept = String(req.headers.accept ?? '');
  if (!accept || accept === '*/*') return defaultHtml;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  if (html === -1) return json === -1 ? defaultHtml : false;
  return json === -1 || html < json;
}

const kindFor = (code: ErrorCode, status: number, details: unknown): ErrorKind => {
  if ((details as { reason?: string } | undefined)?.reason === 'wrong_meeting') return 'wrong_meeting';
  switch (code) {
    case 'TOKEN_EXPIRED':
      return 'expired';
    case 'TOKEN_REVOKED':
      return 'revoked';
    case 'TOKEN_INVALID':
      return 'invalid';
    case 'CONFIDENTIAL':
      return 'confidential';
    case 'UNAUTHENTICATED':
      return 'unauthenticated';
    default:
      return status === 404 ? 'not_found' : status === 401 ? 'unauthenticated' : 'forbidden';
  }
};

/** Sends an error as a page or JSON. `kind` overrides the page chosen from the code. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: AppError, opts: { defaultHtml: boolean; kind?: ErrorKind }): FastifyReply {
  const kind = opts.kind ?? kindFor(err.code, err.status, err.details);
  reply.status(err.status).header('cache-control', 'no-store');
  if (wantsHtml(req, opts.defaultHtml)) {
    const lang = pickLang((req.query as Record<string, unknown> | undefined)?.lang);
    return reply.type('text/html; charset=utf-8').send(errorPage(err.status, kind, lang, req.url.split('?')[0]!));
  }
  const [title] = errorText(kind, 'vi');
  return reply.send({ error: { code: err.code, message: `${title}. ${err.message}` } });
}

/** Runs a handler, turning AppErrors into pages/JSON; other errors go to the app's error handler. */
export async function withErrorPages(req: FastifyRequest, reply: FastifyReply, defaultHtml: boolean, fn: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return sendError(req, reply, err, { defaultHtml });
    throw err;
  }
}
