/**
 * Keeps credentials out of the logs. A QR token in /q/:token is the whole
 * credential of a delegate's landing page; a receipt code lets anyone check a
 * secret ballot; session tokens ride in cookies, Authorization and the socket
 * handshake. None of them may reach a log file.
 */
import type { FastifyServerOptions } from 'fastify';

const REDACTED = '[redacted]';
const URL_SECRETS: [RegExp, string][] = [
  // /q/<token>, /q/<token>/session, /q/<token>/files/3 (also URL-encoded or mid-message)
  [/\/q\/[^/?#\s"']+/g, `/q/${REDACTED}`],
  // /api/polls/:id/receipts/<code>
  [/(\/receipts\/)[^/?#\s"']+/g, `$1${REDACTED}`],
  // ?token=…, &receipt=…, &code=…
  [/([?&](?:token|receipt|code|pin|password)=)[^&#\s"']*/gi, `$1${REDACTED}`],
];

/** The URL (or any log text) with QR tokens, receipt codes and token query parameters replaced. */
export function redactUrl(text: string): string {
  let out = text;
  for (const [re, to] of URL_SECRETS) out = out.replace(re, to);
  return out;
}

interface RawReq {
  method?: string;
  url?: string;
  host?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'handshake.auth.token',
  'handshake.headers.cookie',
  'auth.token',
  'token',
  'password',
  'pin',
];

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Fastify logger options with the redaction applied; `false` stays off. */
export function redactingLogger(base: FastifyServerOptions['logger'], level: string): FastifyServerOptions['logger'] {
  if (base === false) return false;
  const opts: LoggerOptions = base === true || base === undefined ? { level } : base;
  return {
    ...opts,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      ...opts.serializers,
      req: (req: RawReq) => ({ method: req.method, url: redactUrl(req.url ?? ''), host: req.host ?? req.hostname, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
    hooks: {
      // Messages too: Fastify's own lines (e.g. "Route GET:/q/… not found") carry the raw URL.
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactUrl(a) : a)));
      },
    },
  };
}
