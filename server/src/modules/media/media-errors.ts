/**
 * Turns mediasoup failures into typed AppErrors. mediasoup throws TypeError
 * for parameters it rejects in the Node layer (bad RTP/DTLS shapes), and a
 * plain Error carrying the worker's reason when the worker refuses a request;
 * neither affects the worker or other transports.
 */
import { AppError } from '../../lib/app-error.ts';

export function toMediaError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
    return new AppError('VALIDATION_FAILED', 400, `${action}: ${err.message}`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('MEDIA_ERROR', 400, `${action}: ${message}`);
}

/** Runs a mediasoup call, rethrowing its failure as a typed error. */
export async function mediaCall<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toMediaError(err, action);
  }
}
