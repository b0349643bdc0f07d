/**
 * Error codes shared by the HTTP API and the Socket.IO contract. Every error a
 * client can see carries one of these, so the UI can translate it.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The server's command queue is full (a storm beyond its capacity, or shutting down): retry shortly. */
  SERVER_BUSY: 'SERVER_BUSY',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  UNKNOWN_EVENT: 'UNKNOWN_EVENT',
  NOT_MEMBER: 'NOT_MEMBER',
  MEETING_NOT_LIVE: 'MEETING_NOT_LIVE',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  CONFIDENTIAL: 'CONFIDENTIAL',
  NOT_ELIGIBLE: 'NOT_ELIGIBLE',
  ALREADY_VOTED: 'ALREADY_VOTED',
  POLL_CLOSED: 'POLL_CLOSED',
  /** The meeting cannot end while a poll is still open. */
  POLL_OPEN: 'POLL_OPEN',
  MEDIA_ERROR: 'MEDIA_ERROR',
  /** A hall count larger than the hall's delegates present (or than those present who did not vote by phone). */
  HALL_COUNT_TOO_LARGE: 'HALL_COUNT_TOO_LARGE',
  /** The vote would be counted twice: once by phone and once in the hall's count. */
  DOUBLE_COUNT: 'DOUBLE_COUNT',
  /** Secret polls are voted by phone only: a hall count by show of hands is not secret. */
  PHONE_ONLY: 'PHONE_ONLY',
  /** The meeting has ended: its documents and QR codes are part of the record. */
  MEETING_ENDED: 'MEETING_ENDED',
  /** Lowering a document's classification needs the explicit, audited declassify action. */
  DECLASSIFICATION_REQUIRED: 'DECLASSIFICATION_REQUIRED',
  /** A PDF with scripts, launch actions or embedded files. */
  ACTIVE_CONTENT: 'ACTIVE_CONTENT',
  INTERNAL: 'INTERNAL',
  /** A QR session must enter the delegate's voting PIN before it may vote. */
  PIN_REQUIRED: 'PIN_REQUIRED',
  PIN_INVALID: 'PIN_INVALID',
  PIN_NOT_SET: 'PIN_NOT_SET',
  PASSWORD_TOO_SHORT: 'PASSWORD_TOO_SHORT',
  PASSWORD_CONTAINS_USERNAME: 'PASSWORD_CONTAINS_USERNAME',
  PASSWORD_TOO_COMMON: 'PASSWORD_TOO_COMMON',
  /** A request from a page of another origin (cross-site request forgery). */
  CROSS_ORIGIN: 'CROSS_ORIGIN',
  /** The user already has the maximum number of live connections. */
  TOO_MANY_CONNECTIONS: 'TOO_MANY_CONNECTIONS',
  /** Another node of the cluster did not answer in time (or at all): media could not be piped to or from it. */
  NODE_UNREACHABLE: 'NODE_UNREACHABLE',
  /** The disk (or the database's size limit) is full: the change was not saved. */
  STORAGE_FULL: 'STORAGE_FULL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** Body of every HTTP error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Acknowledgement of every Socket.IO command. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };

export const isErrorCode = (v: unknown): v is ErrorCode =>
  typeof v === 'string' && Object.prototype.hasOwnProperty.call(ErrorCode, v);
