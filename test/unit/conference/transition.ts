/** Helpers for the state-machine tests: unwrap a transition or read its error code. */
import { expect } from 'vitest';
import type { Transition } from '../../../server/src/modules/conference/result.ts';

/** Unwraps a successful step, failing the test with the error otherwise. */
export function must<S, E>(r: Transition<S, E>): { state: S; events: E[] } {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r;
}

/** Asserts the step was refused and returns its error code. */
export function code<S, E>(r: Transition<S, E>): string {
  expect(r.ok).toBe(false);
  return r.ok ? 'OK' : r.error.code;
}
