/** Row ↔ contract conversions for voting. Pure. */
import type { PollView } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import { PollRuleError } from './voting.errors.ts';
import type { PollClock } from './voting.machine.ts';
import { quorumMet } from './voting.rules.ts';
import type { PollRow } from './voting.schema.ts';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const clockOf = (row: PollRow): PollClock => ({
  status: row.status,
  durationSeconds: row.spec.durationSeconds,
  openedAt: row.openedAt,
  closesAt: row.closesAt,
  closedAt: row.closedAt,
  closeReason: row.closeReason,
  publishedAt: row.publishedAt,
  cancelledAt: row.cancelledAt,
});

/** The row fields a clock change writes. */
export const clockPatch = (c: PollClock): Partial<PollRow> => ({
  status: c.status,
  openedAt: c.openedAt,
  closesAt: c.closesAt,
  closedAt: c.closedAt,
  closeReason: c.closeReason,
  publishedAt: c.publishedAt,
  cancelledAt: c.cancelledAt,
});

export function pollView(row: PollRow): PollView {
  const { spec } = row;
  const eligibleCount = row.eligible ? row.eligible.length : null;
  return {
    id: row.id,
    meetingId: row.meetingId,
    agendaItemId: row.agendaItemId,
    title: row.title,
    kind: spec.kind,
    options: spec.options,
    minChoices: spec.minChoices,
    maxChoices: spec.maxChoices,
    mode: spec.mode,
    majority: spec.majority,
    ...(spec.majorityBase !== undefined && { majorityBase: spec.majorityBase }),
    quorum: spec.quorum,
    durationSeconds: spec.durationSeconds,
    allowChange: spec.allowChange,
    status: row.status,
    openedAt: iso(row.openedAt),
    closesAt: iso(row.closesAt),
    closedAt: iso(row.closedAt),
    publishedAt: iso(row.publishedAt),
    cancelledAt: iso(row.cancelledAt),
    invitedCount: row.invitedCount,
    eligibleCount,
    quorumMet: row.invitedCount === null || eligibleCount === null ? null : quorumMet(spec.quorum, row.invitedCount, eligibleCount),
  };
}

const STATUS: Record<string, number> = {
  VALIDATION_FAILED: 400,
  NOT_ELIGIBLE: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ILLEGAL_TRANSITION: 409,
  POLL_CLOSED: 409,
  ALREADY_VOTED: 409,
  CONFLICT: 409,
  HALL_COUNT_TOO_LARGE: 409,
  DOUBLE_COUNT: 409,
  PHONE_ONLY: 409,
};

/** Maps a rule error of the pure core to the app's one error type; passes anything else through. */
export function toAppError(err: unknown): unknown {
  if (err instanceof PollRuleError) return new AppError(err.code, STATUS[err.code] ?? 400, err.message);
  return err;
}

/** Runs `fn`, rethrowing rule errors as AppErrors. */
export function rules<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toAppError(err);
  }
}
