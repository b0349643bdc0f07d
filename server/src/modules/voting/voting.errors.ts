import type { ErrorCode } from '@diemcau/shared';

/**
 * A rule of the poll core was broken. The core stays free of HTTP, so this
 * carries only the shared error code; the socket and route layers map it to
 * an AppError (see toAppError in voting.service.ts).
 */
export class PollRuleError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PollRuleError';
  }
}

export const invalid = (message: string) => new PollRuleError('VALIDATION_FAILED', message);
