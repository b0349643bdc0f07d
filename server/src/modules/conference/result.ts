/**
 * Outcome of a pure state-machine step. Rejections carry a shared ErrorCode so
 * the socket layer can ack them unchanged; the core never throws on bad input.
 */
import type { ErrorCode } from '@diemcau/shared';

export interface DomainError {
  code: ErrorCode;
  message: string;
}

export type Transition<S, E> = { ok: true; state: S; events: E[] } | { ok: false; error: DomainError };

export const ok = <S, E>(state: S, events: E[] = []): Transition<S, E> => ({ ok: true, state, events });

export const fail = <S = never, E = never>(code: ErrorCode, message: string): Transition<S, E> => ({
  ok: false,
  error: { code, message },
});
