/**
 * Completes the OpenAPI document without touching what routes do at run time
 * (@fastify/swagger's transform hooks see copies): summaries and descriptions
 * from the route-docs table, multipart upload bodies, the error responses the
 * plugins answer for every route (validation, sign-in, cross-origin refusal,
 * server fault) with the shared error schema, non-JSON success bodies, and an
 * example for every JSON body, derived from its schema so it cannot go stale.
 */
import { ErrorResponse } from '@diemcau/shared';
import { ROUTE_DOCS } from '../plugins/route-docs.ts';

type Json = Record<string, any>;

const ERROR_TEXT: Record<number, [string, string]> = {
  400: ['VALIDATION_FAILED', 'The request does not match its schema (or a rule of the operation).'],
  401: ['UNAUTHENTICATED', 'No valid session: sign in first.'],
  403: ['FORBIDDEN', 'Signed in, but not allowed (role, province, scope of a QR session, or a request from another origin: CROSS_ORIGIN).'],
  404: ['NOT_FOUND', 'No such resource, or one the caller may not see.'],
  409: ['CONFLICT', 'The current state does not allow it (e.g. ILLEGAL_TRANSITION, MEETING_ENDED).'],
  413: ['PAYLOAD_TOO_LARGE', 'The body or the uploaded file is too large.'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'The uploaded file type is not accepted.'],
  416: ['VALIDATION_FAILED', 'The requested byte range is not satisfiable.'],
  429: ['RATE_LIMITED', 'Too many attempts: wait and retry.'],
  502: ['NODE_UNREACHABLE', 'Another node of the cluster refused the connection.'],
  504: ['NODE_UNREACHABLE', 'Another node of the cluster did not answer in time.'],
  500: ['INTERNAL', 'Unexpected server fault (logged); nothing was changed.'],
  507: ['STORAGE_FULL', 'The disk is full: the change was not saved.'],
};
const NO_BODY: Record<number, string> = { 204: 'Done, no content.', 303: 'Redirect to the live meeting page.', 304: 'Not modified (ETag matched).' };

const binary = (type: string) => (type.startsWith('text/') ? { type: 'string' } : { type: 'string', format: 'binary' });
const errorResponse = (status: number) => ({ ...ErrorResponse, description: `${ERROR_TEXT[status]?.[0] ?? 'Error'}: ${ERROR_TEXT[status]?.[1] ?? ''}` });

const UPLOAD_BODY = {
  type: 'object',
  required: ['file'],
  properties: {
    title: { type: 'string', maxLength: 300, description: 'Defaults to the file name.' },
    classification: { type: 'string', enum: ['public_to_meeting', 'restricted', 'confidential'] },
    audienceRoles: { type: 'string', description: 'Comma-separated roles (restricted documents).' },
    audienceUnitIds: { type: 'string', description: 'Comma-separated unit ids (restricted documents).' },
    file: { type: 'string', format: 'binary', description: 'The document; last part of the form.' },
  },
};

/** @fastify/swagger `transform`: one route's schema, completed (a copy). */
export function transformRoute({ schema, url, route }: { schema: Json | undefined; url: string; route: { method: string | string[]; onRequest?: unknown } }): { schema: Json; url: string } {
  const method = String(Array.isArray(route.method) ? route.method[0] : route.method).toUpperCase();
  const path = url.replace(/:(\w+)/g, '{$1}');
  const doc = ROUTE_DOCS[`${method} ${path}`];
  const s: Json = { ...(schema ?? {}) };
  if (s.hide) return { schema: s, url };
  if (doc) {
    s.summary ??= doc.summary;
    s.description ??= doc.description;
  }
  if (doc?.internal) {
    s['x-internal'] = true;
    s.security = [{ cluster: [] }];
  }
  if (doc?.upload) {
    s.consumes = ['multipart/form-data'];
    s.body = UPLOAD_BODY;
  }
  const responses: Json = { ...(s.response ?? {}) };
  for (const [status, types] of Object.entries(doc?.produces ?? {})) {
    responses[status] = { description: 'Success.', content: Object.fromEntries(types.map((t) => [t, { schema: binary(t) }])) };
  }
  const errors = new Set<number>([500, ...(doc?.errors ?? [])]);
  if (s.params || s.querystring || s.body) errors.add(400);
  // Routes behind requireUser() carry an onRequest hook; they answer 401 without a session and 403 for the wrong role.
  if (route.onRequest) for (const code of [401, 403]) errors.add(code);
  // State-changing requests from another origin are refused with 403 CROSS_ORIGIN by the security plugin.
  if (method !== 'GET' && method !== 'HEAD') errors.add(403);
  for (const status of errors) {
    if (responses[status]) continue;
    responses[status] = NO_BODY[status] ? { type: 'null', description: NO_BODY[status] } : errorResponse(status);
  }
  for (const [status, r] of Object.entries(responses)) if (Number(status) >= 400 && !r.description) responses[status] = errorResponse(Number(status));
  s.response = responses;
  return { schema: s, url };
}

const SAMPLE_STRINGS: [RegExp, string][] = [
  [/^(title|meetingTitle)$/, 'Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 12'],
  [/^(fullName|subjectName|displayName)$/, 'Nguyễn Văn An'],
  [/^name$/, 'Huyện Đông Sơn'],
  [/^username$/, 'daibieu01'],
  [/^email$/, 'daibieu01@sonha.gov.vn'],
  [/^place$/, 'Văn phòng Tỉnh ủy Sơn Hà'],
  [/^url$/, 'https://10.20.0.5:3000/q/eyJ…'],
  [/^(fileName)$/, 'bao-cao-chinh-tri.pdf'],
  [/^mime$/, 'application/pdf'],
  [/^(token)$/, 'k3J9…'],
  [/(At|At_|Since|from|to)$|^(at|startsAt|endsAt)$/, '2026-03-10T01:30:00.000Z'],
];
const SAMPLE_PATTERNS: [string, string][] = [
  ['^[0-9a-f]{64}$', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['{4}-[0-9A-HJKMNP-TV-Z]{4}', 'K7QM-2XD4-R9TB'],
  ['^[0-9]{4,6}$', '2468'],
  ['^[A-Za-z0-9_-]{16}$', 'AbCdEfGh12345678'],
];

/** A plausible value for a JSON schema (first alternative of unions, every property of objects). */
export function exampleOf(schema: Json | undefined, key = '', depth = 0): unknown {
  if (!schema || depth > 12) return null;
  if ('const' in schema) return schema.const;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alt)) return exampleOf(alt.find((a: Json) => a.type !== 'null') ?? alt[0], key, depth + 1);
  if (Array.isArray(schema.allOf)) return Object.assign({}, ...schema.allOf.map((a: Json) => exampleOf(a, key, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(Object.entries<Json>(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v, k, depth + 1)]));
    case 'array':
      return [exampleOf(schema.items, key, depth + 1)];
    case 'integer':
    case 'number':
      return schema.minimum ?? (/(Count|count|voted|eligible|pages|size)$/.test(key) ? 12 : 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string': {
      if (schema.format === 'date-time') return '2026-03-10T01:30:00.000Z';
      if (schema.format === 'email') return 'daibieu01@sonha.gov.vn';
      if (schema.format === 'binary') return undefined;
      const byPattern = schema.pattern && SAMPLE_PATTERNS.find(([p]) => String(schema.pattern).includes(p));
      if (byPattern) return byPattern[1];
      return SAMPLE_STRINGS.find(([re]) => re.test(key))?.[1] ?? (key ? `${key}` : 'string');
    }
    default:
      return schema.properties ? exampleOf({ ...schema, type: 'object' }, key, depth + 1) : null;
  }
}

/** @fastify/swagger `transformObject`: adds an example to every JSON body that has none. */
export function addExamples(openapi: Json): Json {
  const withExample = (content: Json | undefined, error?: number) => {
    for (const [type, media] of Object.entries<Json>(content ?? {})) {
      if (!type.includes('json') || media.example !== undefined || media.examples) continue;
      media.example = error ? { error: { code: ERROR_TEXT[error]?.[0] ?? 'INTERNAL', message: ERROR_TEXT[error]?.[1] ?? 'Error' } } : exampleOf(media.schema);
    }
  };
  for (const ops of Object.values<Json>(openapi.paths ?? {})) {
    for (const op of Object.values<Json>(ops)) {
      if (typeof op !== 'object' || !op.responses) continue;
      withExample(op.requestBody?.content);
      for (const [status, r] of Object.entries<Json>(op.responses)) withExample(r.content, Number(status) >= 400 ? Number(status) : undefined);
    }
  }
  return openapi;
}
