import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { isErrorCode, type ErrorBody, type ErrorCode } from '@diemcau/shared';
import { AppError } from '../lib/app-error.ts';

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

/** Maps any thrown error to the `{error:{code,message}}` body and a status. 5xx details stay in the log. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) } } };
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
      if (status >= 500) req.log.error({ err }, 'request failed');
      else req.log.debug({ code: body.error.code }, 'request rejected');
      return reply.status(status).send(body);
    });
  },
  { name: 'errors' },
);
