import type { ErrorCode } from '@diemcau/shared';

/** The one error type the app throws on purpose. `status` is the HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', 404, `${what} not found`);
export const forbidden = (message = 'Not allowed') => new AppError('FORBIDDEN', 403, message);
export const conflict = (message: string) => new AppError('CONFLICT', 409, message);
export const badRequest = (message: string, details?: unknown) =>
  new AppError('VALIDATION_FAILED', 400, message, details);
