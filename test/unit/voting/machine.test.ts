import { describe, expect, it } from 'vitest';
import { POLL_STATUSES, type PollStatus } from '../../../shared/src/index.ts';
import {
  POLL_ACTIONS,
  POLL_TRANSITIONS,
  acceptsBallots,
  assertAcceptsBallots,
  draftClock,
  isDue,
  msUntilAutoClose,
  transition,
  type PollAction,
  type PollClock,
} from '../../../server/src/modules/voting/voting.machine.ts';
import { PollRuleError } from '../../../server/src/modules/voting/voting.errors.ts';

const T0 = Date.UTC(2025, 0, 1, 8, 0, 0);
const LEGAL: [PollStatus, PollAction, PollStatus][] = [
  ['draft', 'open', 'open'],
  ['draft', 'cancel', 'cancelled'],
  ['open', 'close', 'closed'],
  ['open', 'cancel', 'cancelled'],
  ['closed', 'publish', 'published'],
];
const clockIn = (status: PollStatus): PollClock => ({ ...draftClock(null), status });

describe('poll lifecycle', () => {
  it.each(LEGAL)('%s --%s--> %s', (from, action, to) => {
    expect(transition(clockIn(from), action, T0).status).toBe(to);
  });

  const illegal = POLL_STATUSES.flatMap((s) =>
    POLL_ACTIONS.filter((a) => !LEGAL.some(([f, la]) => f === s && la === a)).map((a) => [s, a] as const),
  );
  it('the table lists exactly the legal moves', () => {
    expect(illegal).toHaveLength(POLL_STATUSES.length * POLL_ACTIONS.length - LEGAL.length);
    const fromTable = POLL_STATUSES.flatMap((s) => Object.keys(POLL_TRANSITIONS[s]).map((a) => `${s}:${a}`)).sort();
    expect(fromTable).toEqual(LEGAL.map(([s, a]) => `${s}:${a}`).sort());
  });
  it.each(illegal)('%s cannot %s', (from, action) => {
    const before = clockIn(from);
    let err: unknown;
    try {
      transition(before, action, T0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PollRuleError);
    expect((err as PollRuleError).code).toBe('ILLEGAL_TRANSITION');
    expect(before.status).toBe(from); // the input is never mutated
  });

  it('records the time of each step', () => {
    let c = draftClock(null);
    c = transition(c, 'open', T0);
    expect(c).toMatchObject({ status: 'open', openedAt: T0, closesAt: null });
    c = transition(c, 'close', T0 + 5000);
    expect(c).toMatchObject({ status: 'closed', closedAt: T0 + 5000, closeReason: 'manual' });
    c = transition(c, 'publish', T0 + 9000);
    expect(c).toMatchObject({ status: 'published', publishedAt: T0 + 9000 });
    expect(transition(transition(draftClock(null), 'open', T0), 'cancel', T0 + 1).cancelledAt).toBe(T0 + 1);
  });
});

describe('ballot acceptance', () => {
  it('only an open poll accepts ballots', () => {
    for (const s of POLL_STATUSES) expect(acceptsBallots(clockIn(s), T0)).toBe(s === 'open');
  });
  it('draft and closed polls reject with POLL_CLOSED', () => {
    for (const s of ['draft', 'closed', 'published', 'cancelled'] as const) {
      expect(() => assertAcceptsBallots(clockIn(s), T0)).toThrowError(PollRuleError);
      try {
        assertAcceptsBallots(clockIn(s), T0);
      } catch (e) {
        expect((e as PollRuleError).code).toBe('POLL_CLOSED');
      }
    }
  });
});

describe('countdown', () => {
  const open = transition(draftClock(60), 'open', T0);
  it('sets the deadline from the injected clock', () => {
    expect(open.closesAt).toBe(T0 + 60_000);
    expect(msUntilAutoClose(open, T0 + 15_000)).toBe(45_000);
    expect(msUntilAutoClose(open, T0 + 99_000)).toBe(0);
    expect(msUntilAutoClose(transition(draftClock(null), 'open', T0), T0)).toBeNull();
    expect(msUntilAutoClose(draftClock(60), T0)).toBeNull();
  });
  it('accepts a ballot one millisecond before the deadline, not at it', () => {
    expect(acceptsBallots(open, T0 + 59_999)).toBe(true);
    expect(acceptsBallots(open, T0 + 60_000)).toBe(false);
    expect(() => assertAcceptsBallots(open, T0 + 60_000)).toThrowError(/closed/);
  });
  it('is due exactly at the deadline', () => {
    expect(isDue(open, T0 + 59_999)).toBe(false);
    expect(isDue(open, T0 + 60_000)).toBe(true);
    expect(isDue(transition(open, 'close', T0 + 1), T0 + 70_000)).toBe(false);
  });
  it('a countdown close processed late (after a restart) is dated at the deadline', () => {
    const late = transition(open, 'close', T0 + 3_600_000, 'countdown');
    expect(late).toMatchObject({ status: 'closed', closedAt: T0 + 60_000, closeReason: 'countdown' });
    // A manual close before the deadline keeps its own time.
    expect(transition(open, 'close', T0 + 10_000).closedAt).toBe(T0 + 10_000);
  });
});
