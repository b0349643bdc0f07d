/**
 * Hall voting by count (pure rules). At a commune hall many delegates have no
 * smartphone: they raise their hands and the bridge operator enters the count.
 *
 * - Open-ballot polls only: a show of hands is not secret, so secret polls stay
 *   phone-only (PHONE_ONLY); and one hand is one choice, so only polls whose
 *   ballot marks at most one option.
 * - `present` may not exceed the hall's delegates who were present when the
 *   poll opened (the frozen eligible list seated at that bridge point), nor be
 *   fewer than those of them who already voted by phone.
 * - No double counting: the hall's votes may not exceed present minus the
 *   hall's phone voters; and while a count stands, a new phone vote from that
 *   hall is refused when it would break the same inequality (DOUBLE_COUNT).
 * - A count larger than present is HALL_COUNT_TOO_LARGE.
 */
import type { OptionCount } from '@diemcau/shared';
import { invalid, PollRuleError } from './voting.errors.ts';
import type { PollSpec } from './voting.rules.ts';

/** One hall's standing count. */
export interface HallTally {
  bridgePointId: number;
  present: number;
  /** Votes per option, in option order. */
  counts: OptionCount[];
}

/** The hall as the poll sees it: its delegates present at opening, and how many of them voted by phone. */
export interface HallSeats {
  delegates: number;
  phoneVoters: number;
}

export const hallVotes = (counts: readonly OptionCount[]): number => counts.reduce((n, c) => n + c.votes, 0);

/** Checks a hall count against the poll and the hall; returns the counts in option order (missing options 0). */
export function checkHallCount(spec: PollSpec, entry: { present: number; counts: readonly OptionCount[] }, hall: HallSeats): OptionCount[] {
  if (spec.mode === 'secret') throw new PollRuleError('PHONE_ONLY', 'A secret poll is voted by phone only; a show of hands is not secret');
  if (spec.maxChoices !== 1) throw invalid('A show of hands counts one choice per delegate: only polls with one choice per ballot take hall counts');
  const given = new Map<string, number>();
  for (const c of entry.counts) {
    if (!spec.options.some((o) => o.id === c.id)) throw invalid(`'${c.id}' is not an option of this poll`);
    if (given.has(c.id)) throw invalid(`'${c.id}' is counted twice`);
    given.set(c.id, c.votes);
  }
  if (hall.delegates === 0) throw new PollRuleError('NOT_ELIGIBLE', 'No delegate seated at this bridge point was present when the poll opened');
  if (entry.present > hall.delegates) {
    throw new PollRuleError('HALL_COUNT_TOO_LARGE', `Only ${hall.delegates} delegate(s) of this hall were present when the poll opened, not ${entry.present}`);
  }
  if (entry.present < hall.phoneVoters) throw invalid(`${hall.phoneVoters} delegate(s) of this hall already voted by phone: present cannot be fewer`);
  const counts = spec.options.map((o) => ({ id: o.id, votes: given.get(o.id) ?? 0 }));
  const votes = hallVotes(counts);
  if (votes > entry.present) throw new PollRuleError('HALL_COUNT_TOO_LARGE', `${votes} vote(s) counted but only ${entry.present} delegate(s) present`);
  if (votes > entry.present - hall.phoneVoters) {
    throw new PollRuleError(
      'DOUBLE_COUNT',
      `${hall.phoneVoters} delegate(s) of this hall voted by phone: the hall count may be at most ${entry.present - hall.phoneVoters}, not ${votes}`,
    );
  }
  return counts;
}

/** A new phone voter of a counted hall: refused when hall votes plus phone voters (including them) would exceed present. */
export function assertPhoneVoteFits(hall: HallTally, phoneVotersWithThem: number): void {
  if (hallVotes(hall.counts) + phoneVotersWithThem > hall.present) {
    throw new PollRuleError('DOUBLE_COUNT', "Your hall's count already includes every delegate present there; ask the bridge operator to change the count");
  }
}

/** A hall count as ballots of one choice each, so tallies and subtotals treat both sources alike. */
export const hallBallots = (hall: HallTally): string[][] => hall.counts.flatMap((c) => Array.from({ length: c.votes }, () => [c.id]));
