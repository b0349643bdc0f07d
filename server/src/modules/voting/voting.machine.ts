/**
 * The poll lifecycle as a pure state machine:
 *
 *   draft ──open──▶ open ──close──▶ closed ──publish──▶ published
 *     │               │
 *     └──cancel──▶ cancelled ◀──cancel
 *
 * Every other move is rejected with ILLEGAL_TRANSITION. Time is always
 * injected (`now`, epoch ms), so the countdown is testable and survives a
 * restart: the deadline is stored, not a timer.
 */
import type { PollStatus } from '@diemcau/shared';
import { PollRuleError } from './voting.errors.ts';

export type PollAction = 'open' | 'close' | 'publish' | 'cancel';
export const POLL_ACTIONS = ['open', 'close', 'publish', 'cancel'] as const satisfies readonly PollAction[];
export type CloseReason = 'manual' | 'countdown';

/** The only legal moves. */
export const POLL_TRANSITIONS: Readonly<Record<PollStatus, Readonly<Partial<Record<PollAction, PollStatus>>>>> = {
  draft: { open: 'open', cancel: 'cancelled' },
  open: { close: 'closed', cancel: 'cancelled' },
  closed: { publish: 'published' },
  published: {},
  cancelled: {},
};

/** The time-related state of one poll. Times are epoch milliseconds. */
export interface PollClock {
  status: PollStatus;
  durationSeconds: number | null;
  openedAt: number | null;
  closesAt: number | null;
  closedAt: number | null;
  closeReason: CloseReason | null;
  publishedAt: number | null;
  cancelledAt: number | null;
}

export const draftClock = (durationSeconds: number | null): PollClock => ({
  status: 'draft',
  durationSeconds,
  openedAt: null,
  closesAt: null,
  closedAt: null,
  closeReason: null,
  publishedAt: null,
  cancelledAt: null,
});

export const canTransition = (from: PollStatus, action: PollAction): boolean => POLL_TRANSITIONS[from][action] !== undefined;

/**
 * Applies one action. A countdown close takes effect at the deadline even
 * when it is processed late (e.g. after a restart), so the record says when
 * voting really ended.
 */
export function transition(clock: PollClock, action: PollAction, now: number, reason: CloseReason = 'manual'): PollClock {
  const to = POLL_TRANSITIONS[clock.status][action];
  if (to === undefined) throw new PollRuleError('ILLEGAL_TRANSITION', `A ${clock.status} poll cannot ${action}`);
  switch (action) {
    case 'open':
      return {
        ...clock,
        status: to,
        openedAt: now,
        closesAt: clock.durationSeconds === null ? null : now + clock.durationSeconds * 1000,
      };
    case 'close': {
      const closedAt = reason === 'countdown' && clock.closesAt !== null ? Math.min(now, clock.closesAt) : now;
      return { ...clock, status: to, closedAt, closeReason: reason };
    }
    case 'publish':
      return { ...clock, status: to, publishedAt: now };
    case 'cancel':
      return { ...clock, status: to, cancelledAt: now };
  }
}

/** Whether a ballot may be accepted at `now`: open and not past its deadline. */
export function acceptsBallots(clock: PollClock, now: number): boolean {
  return clock.status === 'open' && (clock.closesAt === null || now < clock.closesAt);
}

/** Throws POLL_CLOSED unless a ballot may be accepted at `now`. */
export function assertAcceptsBallots(clock: PollClock, now: number): void {
  if (acceptsBallots(clock, now)) return;
  throw new PollRuleError('POLL_CLOSED', clock.status === 'draft' ? 'The poll is not open yet' : 'The poll is closed');
}

/** Whether the countdown has run out and the poll must be closed now. */
export const isDue = (clock: PollClock, now: number): boolean =>
  clock.status === 'open' && clock.closesAt !== null && now >= clock.closesAt;

/** Milliseconds until the countdown closes the poll (0 if overdue), or null without a countdown. */
export function msUntilAutoClose(clock: PollClock, now: number): number | null {
  if (clock.status !== 'open' || clock.closesAt === null) return null;
  return Math.max(0, clock.closesAt - now);
}
