/**
 * Pure poll rules: what a poll of each kind looks like, which ballots are
 * valid, and how votes, quorum and majority turn into an outcome. No I/O.
 *
 * All threshold maths is on integers (cross-multiplication, exact division),
 * so "exactly half" and "exactly two thirds" can never be misjudged by
 * floating-point rounding.
 */
import {
  APPROVAL_OPTIONS,
  DEFAULT_QUORUM,
  type BallotMode,
  type MajorityBase,
  type MajorityRule,
  type OptionCount,
  type PollCreate,
  type PollKind,
  type PollOption,
  type PollOutcome,
  type QuorumRule,
} from '@diemcau/shared';
import { invalid } from './voting.errors.ts';

/** A poll's fixed rules, as frozen when it was drafted. */
export interface PollSpec {
  kind: PollKind;
  options: PollOption[];
  /** How many options one ballot must / may mark. */
  minChoices: number;
  maxChoices: number;
  mode: BallotMode;
  majority: MajorityRule;
  /** absolute / two-thirds: counted against those present (default) or all invited. Absent on older polls. */
  majorityBase?: MajorityBase;
  quorum: QuorumRule;
  durationSeconds: number | null;
  allowChange: boolean;
}

const only = (input: PollCreate, allowed: readonly (keyof PollCreate)[]) => {
  for (const k of ['options', 'minChoices', 'maxChoices', 'seats'] as const) {
    if (input[k] !== undefined && !allowed.includes(k)) throw invalid(`'${k}' does not apply to a ${input.kind} poll`);
  }
};

function labelledOptions(labels: readonly string[] | undefined, min: number, what: string): PollOption[] {
  const trimmed = (labels ?? []).map((l) => l.trim());
  if (trimmed.length < min) throw invalid(`A poll needs at least ${min} ${what}`);
  if (trimmed.some((l) => l === '')) throw invalid(`Every ${what.replace(/s$/, '')} needs a label`);
  const seen = new Set(trimmed.map((l) => l.toLocaleLowerCase('vi')));
  if (seen.size !== trimmed.length) throw invalid(`Two ${what} have the same label`);
  return trimmed.map((label, i) => ({ id: String(i + 1), label }));
}

/** Validates a draft request and fills in defaults. Throws PollRuleError(VALIDATION_FAILED). */
export function buildSpec(input: PollCreate): PollSpec {
  const common = {
    mode: input.mode,
    majority: input.majority,
    // Only written when chosen, so older polls' chained specs keep their exact shape.
    ...(input.majorityBase !== undefined && { majorityBase: input.majorityBase }),
    quorum: input.quorum ?? DEFAULT_QUORUM,
    durationSeconds: input.durationSeconds ?? null,
    allowChange: input.allowChange ?? false,
  };
  if (common.quorum.num > common.quorum.den) throw invalid('A quorum cannot exceed all invited delegates');
  if (input.majority === 'simple' && input.majorityBase === 'invited') throw invalid('A simple majority counts the votes cast, not the invited delegates');
  switch (input.kind) {
    case 'approval':
      only(input, []);
      return { kind: 'approval', options: APPROVAL_OPTIONS.map((o) => ({ ...o })), minChoices: 1, maxChoices: 1, ...common };
    case 'single':
      only(input, ['options']);
      return { kind: 'single', options: labelledOptions(input.options, 2, 'options'), minChoices: 1, maxChoices: 1, ...common };
    case 'multiple': {
      only(input, ['options', 'minChoices', 'maxChoices']);
      const options = labelledOptions(input.options, 2, 'options');
      const minChoices = input.minChoices ?? 1;
      const maxChoices = input.maxChoices ?? options.length;
      if (maxChoices > options.length) throw invalid('maxChoices exceeds the number of options');
      if (minChoices > maxChoices) throw invalid('minChoices exceeds maxChoices');
      return { kind: 'multiple', options, minChoices, maxChoices, ...common };
    }
    case 'election': {
      only(input, ['options', 'seats']);
      const options = labelledOptions(input.options, 1, 'candidates');
      const seats = input.seats ?? 1;
      if (seats > options.length) throw invalid('More seats than candidates');
      // "Choose up to N": a ballot marking nobody is a valid, blank ballot.
      return { kind: 'election', options, minChoices: 0, maxChoices: seats, ...common };
    }
  }
}

/** Checks one ballot against the spec; returns its choices in option order. Throws VALIDATION_FAILED. */
export function validateBallot(spec: PollSpec, choices: readonly string[]): string[] {
  const order = new Map(spec.options.map((o, i) => [o.id, i]));
  const picked = new Set<string>();
  for (const c of choices) {
    if (!order.has(c)) throw invalid(`'${c}' is not an option of this poll`);
    if (picked.has(c)) throw invalid(`'${c}' is marked twice`);
    picked.add(c);
  }
  const n = picked.size;
  if (n < spec.minChoices || n > spec.maxChoices) {
    throw invalid(
      spec.minChoices === spec.maxChoices
        ? `Mark exactly ${spec.minChoices} option(s)`
        : `Mark between ${spec.minChoices} and ${spec.maxChoices} option(s)`,
    );
  }
  return [...picked].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Votes per option, in option order. Ballots must already be valid. */
export function tally(spec: PollSpec, ballots: Iterable<readonly string[]>): OptionCount[] {
  const counts = new Map(spec.options.map((o) => [o.id, 0]));
  for (const b of ballots) for (const c of b) counts.set(c, (counts.get(c) ?? 0) + 1);
  return spec.options.map((o) => ({ id: o.id, votes: counts.get(o.id) ?? 0 }));
}

/** present/invited > num/den (or >= when inclusive). A meeting with nobody invited has no quorum. */
export function quorumMet(rule: QuorumRule, invited: number, present: number): boolean {
  if (invited <= 0) return false;
  const lhs = present * rule.den;
  const rhs = invited * rule.num;
  return rule.inclusive ? lhs >= rhs : lhs > rhs;
}

/** What the majority rule counts against: votes cast (simple), delegates present, or delegates invited. */
export type BaseKind = 'votes_cast' | 'present' | 'invited';

export const baseKindOf = (spec: PollSpec): BaseKind =>
  spec.majority === 'simple' ? 'votes_cast' : spec.majorityBase === 'invited' ? 'invited' : 'present';

/**
 * The number the majority rule compares against: votes cast for simple
 * majority (for approval polls, Tán thành + Không tán thành: "Không biểu
 * quyết" is not a vote cast); otherwise the eligible (present) delegates, or
 * all invited when the poll says so. Percentages shown use this same base.
 */
export function majorityBase(spec: PollSpec, counts: readonly OptionCount[], ballotsCast: number, eligible: number, invited = eligible): number {
  const kind = baseKindOf(spec);
  if (kind === 'invited') return invited;
  if (kind === 'present') return eligible;
  if (spec.kind === 'approval') return votesOf(counts, 'yes') + votesOf(counts, 'no');
  return ballotsCast;
}

/** Whether `votes` satisfies the rule against `base`. The definition of each rule, in integers. */
export function carries(rule: MajorityRule, votes: number, base: number): boolean {
  if (votes <= 0) return false;
  return rule === 'two_thirds' ? votes * 3 >= base * 2 : votes * 2 > base;
}

/** Fewest votes that carry (for display: "cần ít nhất N phiếu"). Exact integer division. */
export function requiredVotes(rule: MajorityRule, base: number): number {
  if (rule === 'two_thirds') {
    const t = base * 2;
    const r = t % 3;
    return Math.max(1, (t - r) / 3 + (r === 0 ? 0 : 1));
  }
  return (base - (base % 2)) / 2 + 1;
}

const votesOf = (counts: readonly OptionCount[], id: string) => counts.find((c) => c.id === id)?.votes ?? 0;

export interface Decision {
  base: number;
  required: number;
  carried: Set<string>;
  outcome: PollOutcome;
  winners: string[];
  tied: string[];
}

/** Applies quorum and majority to the counts. `seats` is spec.maxChoices for elections. */
export function decide(spec: PollSpec, counts: readonly OptionCount[], ballotsCast: number, eligible: number, hasQuorum: boolean, invited = eligible): Decision {
  const base = majorityBase(spec, counts, ballotsCast, eligible, invited);
  const required = requiredVotes(spec.majority, base);
  if (!hasQuorum) return { base, required, carried: new Set(), outcome: 'no_quorum', winners: [], tied: [] };
  const carried = new Set(counts.filter((c) => carries(spec.majority, c.votes, base)).map((c) => c.id));
  const result = (outcome: PollOutcome, winners: string[], tied: string[] = []): Decision => ({
    base,
    required,
    carried: new Set(winners),
    outcome,
    winners,
    tied,
  });
  switch (spec.kind) {
    case 'approval': {
      if (carried.has('yes')) return result('passed', ['yes']);
      const yes = votesOf(counts, 'yes');
      // Only simple majority can be tied: yes == no with some votes cast.
      if (spec.majority === 'simple' && yes > 0 && yes === votesOf(counts, 'no')) return result('tie', []);
      return result('rejected', []);
    }
    case 'single': {
      const top = Math.max(...counts.map((c) => c.votes));
      const leaders = counts.filter((c) => c.votes === top).map((c) => c.id);
      if (top > 0 && leaders.length > 1) return result('tie', [], leaders);
      const [leader] = leaders;
      return leader !== undefined && carried.has(leader) ? result('passed', [leader]) : result('rejected', []);
    }
    case 'multiple': {
      const winners = counts.filter((c) => carried.has(c.id)).map((c) => c.id);
      return result(winners.length ? 'passed' : 'rejected', winners);
    }
    case 'election': {
      const seats = spec.maxChoices;
      // Stable sort keeps the ballot order among equal counts; equal counts at the last seat are a tie, not an order.
      const qualified = counts.filter((c) => carried.has(c.id)).sort((a, b) => b.votes - a.votes);
      if (qualified.length <= seats) return result(qualified.length ? 'passed' : 'rejected', qualified.map((c) => c.id));
      const boundary = qualified[seats - 1]!.votes;
      if (qualified[seats]!.votes < boundary) return result('passed', qualified.slice(0, seats).map((c) => c.id));
      const winners = qualified.filter((c) => c.votes > boundary).map((c) => c.id);
      const tied = qualified.filter((c) => c.votes === boundary).map((c) => c.id);
      return result('tie', winners, tied);
    }
  }
}
