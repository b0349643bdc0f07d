import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MajorityRule, PollCreate } from '../../../shared/src/index.ts';
import { buildSpec, carries, decide, quorumMet, requiredVotes, tally, type PollSpec } from '../../../server/src/modules/voting/voting.rules.ts';

const spec = (extra: Partial<PollCreate> & Pick<PollCreate, 'kind'>, majority: MajorityRule = 'simple') =>
  buildSpec({ agendaItemId: null, title: 't', mode: 'open', majority, ...extra });
const approval = (m: MajorityRule) => spec({ kind: 'approval' }, m);
const approvalBallots = (yes: number, no: number, abstain: number) => [
  ...Array.from({ length: yes }, () => ['yes']),
  ...Array.from({ length: no }, () => ['no']),
  ...Array.from({ length: abstain }, () => ['abstain']),
];
const decideApproval = (m: MajorityRule, yes: number, no: number, abstain: number, eligible: number, q = true) => {
  const s = approval(m);
  const b = approvalBallots(yes, no, abstain);
  return decide(s, tally(s, b), b.length, eligible, q);
};

describe('quorum', () => {
  const half = { num: 1, den: 2, inclusive: false };
  it('default "more than half": exactly half is not a quorum', () => {
    expect(quorumMet(half, 100, 50)).toBe(false);
    expect(quorumMet(half, 100, 51)).toBe(true);
    expect(quorumMet(half, 101, 50)).toBe(false);
    expect(quorumMet(half, 101, 51)).toBe(true);
    expect(quorumMet(half, 1, 1)).toBe(true);
    expect(quorumMet(half, 2, 1)).toBe(false);
  });
  it('"at least" thresholds count the exact share', () => {
    const twoThirds = { num: 2, den: 3, inclusive: true };
    expect(quorumMet(twoThirds, 300, 200)).toBe(true);
    expect(quorumMet(twoThirds, 300, 199)).toBe(false);
    expect(quorumMet(twoThirds, 10, 7)).toBe(true); // 7/10 >= 2/3
    expect(quorumMet(twoThirds, 10, 6)).toBe(false); // 6/10 < 2/3
    expect(quorumMet({ num: 1, den: 2, inclusive: true }, 100, 50)).toBe(true);
  });
  it('nobody invited means no quorum; a zero share still needs someone invited', () => {
    expect(quorumMet(half, 0, 0)).toBe(false);
    expect(quorumMet({ num: 0, den: 1, inclusive: true }, 0, 0)).toBe(false);
    expect(quorumMet({ num: 0, den: 1, inclusive: true }, 5, 0)).toBe(true);
  });
  it('agrees with exact rational comparison for any sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (inv, p, den, inc) => {
        const present = Math.min(p, inv);
        const num = Math.min(den, 1 + (p % den));
        const lhs = BigInt(present) * BigInt(den);
        const rhs = BigInt(inv) * BigInt(num);
        expect(quorumMet({ num, den, inclusive: inc }, inv, present)).toBe(inc ? lhs >= rhs : lhs > rhs);
      }),
    );
  });
});

describe('thresholds', () => {
  it('simple and absolute: more than half; exactly half fails', () => {
    for (const rule of ['simple', 'absolute'] as const) {
      expect(carries(rule, 50, 100)).toBe(false);
      expect(carries(rule, 51, 100)).toBe(true);
      expect(carries(rule, 50, 99)).toBe(true);
      expect(carries(rule, 49, 99)).toBe(false);
      expect(requiredVotes(rule, 100)).toBe(51);
      expect(requiredVotes(rule, 99)).toBe(50);
      expect(requiredVotes(rule, 0)).toBe(1);
    }
  });
  it('two thirds: exactly two thirds carries', () => {
    expect(carries('two_thirds', 200, 300)).toBe(true);
    expect(carries('two_thirds', 199, 300)).toBe(false);
    expect(carries('two_thirds', 67, 100)).toBe(true); // 66.67 needed
    expect(carries('two_thirds', 66, 100)).toBe(false);
    expect(carries('two_thirds', 2, 3)).toBe(true);
    expect(requiredVotes('two_thirds', 300)).toBe(200);
    expect(requiredVotes('two_thirds', 100)).toBe(67);
    expect(requiredVotes('two_thirds', 1)).toBe(1);
    expect(requiredVotes('two_thirds', 0)).toBe(1);
  });
  it('zero votes never carry, even against an empty base', () => {
    expect(carries('two_thirds', 0, 0)).toBe(false);
    expect(carries('simple', 0, 0)).toBe(false);
  });
  it('required votes is exactly the smallest count that carries', () => {
    fc.assert(
      fc.property(fc.constantFrom<MajorityRule>('simple', 'absolute', 'two_thirds'), fc.integer({ min: 0, max: 1_000_000 }), (rule, b) => {
        const r = requiredVotes(rule, b);
        expect(carries(rule, r, b)).toBe(true);
        expect(r === 1 || !carries(rule, r - 1, b)).toBe(true);
      }),
    );
  });
});

describe('approval outcome', () => {
  it('simple majority of votes cast ignores "Không biểu quyết"', () => {
    // 40 yes, 30 no, 30 abstain: 40 > 70/2 though only 40% of ballots.
    const d = decideApproval('simple', 40, 30, 30, 100);
    expect(d).toMatchObject({ outcome: 'passed', winners: ['yes'], base: 70, required: 36 });
  });
  it('simple majority tie is a tie, not a pass', () => {
    expect(decideApproval('simple', 30, 30, 40, 100)).toMatchObject({ outcome: 'tie', winners: [], base: 60 });
    expect(decideApproval('simple', 31, 30, 0, 100).outcome).toBe('passed');
  });
  it('all abstaining or nobody voting is rejected, not a tie', () => {
    expect(decideApproval('simple', 0, 0, 10, 10).outcome).toBe('rejected');
    expect(decideApproval('simple', 0, 0, 0, 10).outcome).toBe('rejected');
  });
  it('absolute majority counts all eligible: exactly half fails, one more passes', () => {
    expect(decideApproval('absolute', 50, 0, 0, 100)).toMatchObject({ outcome: 'rejected', base: 100, required: 51 });
    expect(decideApproval('absolute', 51, 49, 0, 100).outcome).toBe('passed');
    // Majority of votes cast but not of eligible.
    expect(decideApproval('absolute', 40, 10, 0, 100).outcome).toBe('rejected');
    // A yes/no tie under an eligible-based rule is simply not carried.
    expect(decideApproval('absolute', 50, 50, 0, 100).outcome).toBe('rejected');
  });
  it('two thirds of all eligible: exactly at the threshold passes', () => {
    expect(decideApproval('two_thirds', 200, 0, 0, 300)).toMatchObject({ outcome: 'passed', required: 200 });
    expect(decideApproval('two_thirds', 199, 0, 101, 300).outcome).toBe('rejected');
    expect(decideApproval('two_thirds', 67, 33, 0, 100).outcome).toBe('passed');
    expect(decideApproval('two_thirds', 66, 0, 0, 100).outcome).toBe('rejected');
  });
  it('without quorum nothing carries', () => {
    const d = decideApproval('simple', 90, 0, 0, 100, false);
    expect(d).toMatchObject({ outcome: 'no_quorum', winners: [], tied: [] });
    expect(d.carried.size).toBe(0);
  });
});

describe('single choice outcome', () => {
  const s = spec({ kind: 'single', options: ['A', 'B', 'C'] });
  const run = (a: number, b: number, c: number, eligible = 100, sp: PollSpec = s) => {
    const ballots = [...Array(a).fill(['1']), ...Array(b).fill(['2']), ...Array(c).fill(['3'])];
    return decide(sp, tally(sp, ballots), ballots.length, eligible, true);
  };
  it('the leader with more than half of the ballots wins', () => {
    expect(run(51, 30, 19)).toMatchObject({ outcome: 'passed', winners: ['1'] });
  });
  it('a plurality short of a majority is rejected', () => {
    expect(run(40, 35, 25)).toMatchObject({ outcome: 'rejected', winners: [] });
    expect(run(50, 30, 20)).toMatchObject({ outcome: 'rejected', required: 51 });
  });
  it('a tie at the top is reported with the tied options', () => {
    expect(run(40, 40, 20)).toMatchObject({ outcome: 'tie', winners: [], tied: ['1', '2'] });
  });
  it('no ballots at all is rejected, not a three-way tie', () => {
    expect(run(0, 0, 0)).toMatchObject({ outcome: 'rejected', tied: [] });
  });
  it('two-thirds rule over eligible', () => {
    const tt = spec({ kind: 'single', options: ['A', 'B', 'C'] }, 'two_thirds');
    expect(run(20, 1, 0, 30, tt)).toMatchObject({ outcome: 'passed', required: 20 });
    expect(run(19, 1, 0, 30, tt).outcome).toBe('rejected');
  });
});

describe('multiple choice outcome', () => {
  it('every option above the threshold carries, the base being ballots cast', () => {
    const s = spec({ kind: 'multiple', options: ['A', 'B', 'C'], minChoices: 0 });
    const ballots = [['1', '2'], ['1'], ['1', '3'], []]; // 4 ballots: A=3, B=1, C=1
    const d = decide(s, tally(s, ballots), ballots.length, 10, true);
    expect(d).toMatchObject({ outcome: 'passed', winners: ['1'], base: 4, required: 3 });
    const two = [['1', '2'], ['1', '2'], ['3'], ['3']]; // A=2, B=2 of 4: exactly half
    expect(decide(s, tally(s, two), 4, 10, true)).toMatchObject({ outcome: 'rejected', winners: [] });
  });
});

describe('election outcome', () => {
  const s = spec({ kind: 'election', options: ['A', 'B', 'C', 'D'], seats: 2 });
  const counts = (...v: number[]) => v.map((votes, i) => ({ id: String(i + 1), votes }));
  it('elects the top N of those above the threshold', () => {
    expect(decide(s, counts(90, 80, 70, 10), 100, 100, true)).toMatchObject({ outcome: 'passed', winners: ['1', '2'], tied: [] });
    expect(decide(s, counts(10, 80, 70, 90), 100, 100, true)).toMatchObject({ outcome: 'passed', winners: ['4', '2'] });
  });
  it('fills fewer seats when fewer candidates reach more than half', () => {
    expect(decide(s, counts(70, 50, 40, 30), 100, 100, true)).toMatchObject({ outcome: 'passed', winners: ['1'] });
    expect(decide(s, counts(50, 50, 50, 50), 100, 100, true)).toMatchObject({ outcome: 'rejected', winners: [] });
  });
  it('a tie for the last seat elects those above it and names the tied', () => {
    expect(decide(s, counts(90, 70, 70, 10), 100, 100, true)).toMatchObject({ outcome: 'tie', winners: ['1'], tied: ['2', '3'] });
    expect(decide(s, counts(70, 70, 70, 10), 100, 100, true)).toMatchObject({ outcome: 'tie', winners: [], tied: ['1', '2', '3'] });
  });
  it('a tie above the last seat is no tie', () => {
    expect(decide(s, counts(80, 80, 60, 10), 100, 100, true)).toMatchObject({ outcome: 'passed', winners: ['1', '2'] });
  });
  it('exactly half of the ballots does not elect, one more does', () => {
    expect(decide(s, counts(51, 50, 0, 0), 100, 100, true)).toMatchObject({ winners: ['1'], required: 51 });
  });
  it('blank ballots count in the base', () => {
    const one = spec({ kind: 'election', options: ['A', 'B'], seats: 1 });
    const ballots = [['1'], ['1'], [], []];
    expect(decide(one, tally(one, ballots), ballots.length, 10, true)).toMatchObject({ outcome: 'rejected', base: 4, required: 3 });
  });
});
