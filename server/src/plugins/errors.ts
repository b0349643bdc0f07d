import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { isErrorCode, type ErrorBody, type ErrorCode } from '@diemcau/shared';
import { AppError } from '../lib/app-error.ts';
import { constraintKind, isStorageFull } from '../lib/db-errors.ts';

const byStatus: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  406: 'VALIDATION_FAILED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
};

/**
 * A database constraint that fired means the request did not fit the data (the routes check first,
 * but a race or an unchecked reference can still reach the database): a 4xx, not a 500.
 */
function constraintResponse(err: unknown): { status: number; body: ErrorBody } | null {
  const kind = constraintKind(err);
  if (kind === null) return null;
  const [status, code, message]: [number, ErrorCode, string] =
    kind === 'UNIQUE' || kind === 'PRIMARYKEY'
      ? [409, 'CONFLICT', 'A record with the same unique value already exists']
      : kind === 'FOREIGNKEY'
        ? [409, 'CONFLICT', 'The change refers to a record that does not exist, or removes one that is still in use']
        : kind === 'CHECK' || kind === 'NOTNULL'
          ? [400, 'VALIDATION_FAILED', 'A value is missing or out of range']
          : [409, 'CONFLICT', 'The change conflicts with the stored data'];
  return { status, body: { error: { code, message } } };
}

/** Maps any thrown error to the `{error:{code,message}}` body and a status. 5xx details stay in the log. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) } } };
  }
  const constraint = constraintResponse(err);
  if (constraint) return constraint;
  if (isStorageFull(err)) {
    return {
      status: 507,
      body: { error: { code: 'STORAGE_FULL', message: 'The server is out of storage space; nothing was saved. Free disk space on the server, then try again.' } },
    };
  }
  const fe = err as Partial<FastifyError> & { validation?: unknown };
  if (fe && fe.validation) {
    return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: fe.message ?? 'Invalid request', details: fe.validation } } };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = isErrorCode(fe.code) ? fe.code : (byStatus[status] ?? 'VALIDATION_FAILED');
    return { status, body: { error: { code, message: fe.message ?? 'Bad request' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal server error' } } };
}

/** The one error handler and the API 404 handler. */
export default fp(
  async (app) => {
    app.setErrorHandler((err, req, reply) => {
      const { status, body } = toErrorResponse(err);
      if (status >= 500) req.log.error({ err, code: body.error.code }, 'request failed');
      else if (body.error.code === 'CONFLICT' && constraintKind(err)) req.log.warn({ sqlite: (err as { code?: string }).code }, 'database constraint refused the request');
      else req.log.debug({ code: body.error.code }, 'request rejected');
      return reply.status(status).send(body);
    });
  },
  { name: 'errors' },
);
