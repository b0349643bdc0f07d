// Hall voting by count, pure rules (voting.hall.ts) and how counts enter the result and its verification.
import { describe, expect, it } from 'vitest';
import { nextEntry, type ChainEntry } from '../../../server/src/modules/voting/voting.chain.ts';
import { assertPhoneVoteFits, checkHallCount } from '../../../server/src/modules/voting/voting.hall.ts';
import { verifyPoll, type LedgerPayload } from '../../../server/src/modules/voting/voting.ledger.ts';
import { computeResult, computeTurnout, type EligibleVoter } from '../../../server/src/modules/voting/voting.result.ts';
import { buildSpec } from '../../../server/src/modules/voting/voting.rules.ts';

const approval = buildSpec({ agendaItemId: null, title: 'X', kind: 'approval', mode: 'open', majority: 'simple', quorum: { num: 0, den: 1, inclusive: true } });
const counts = (yes: number, no: number, abstain: number) => [
  { id: 'yes', votes: yes },
  { id: 'no', votes: no },
  { id: 'abstain', votes: abstain },
];
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'ok';
};

describe('hall count rules', () => {
  it('accepts a count within present minus phone voters, in option order with missing options as 0', () => {
    expect(checkHallCount(approval, { present: 5, counts: [{ id: 'no', votes: 1 }, { id: 'yes', votes: 3 }] }, { delegates: 6, phoneVoters: 1 })).toEqual(counts(3, 1, 0));
  });

  it('refuses counts over present, present over the hall, double counting, secret and multi-choice polls', () => {
    const hall = { delegates: 5, phoneVoters: 2 };
    expect(code(() => checkHallCount(approval, { present: 5, counts: counts(6, 0, 0) }, hall))).toBe('HALL_COUNT_TOO_LARGE');
    expect(code(() => checkHallCount(approval, { present: 6, counts: counts(1, 0, 0) }, hall))).toBe('HALL_COUNT_TOO_LARGE');
    expect(code(() => checkHallCount(approval, { present: 5, counts: counts(2, 1, 1) }, hall))).toBe('DOUBLE_COUNT');
    expect(code(() => checkHallCount(approval, { present: 5, counts: counts(2, 1, 0) }, hall))).toBe('ok');
    expect(code(() => checkHallCount(approval, { present: 1, counts: counts(0, 0, 0) }, hall))).toBe('VALIDATION_FAILED');
    expect(code(() => checkHallCount(approval, { present: 1, counts: counts(1, 0, 0) }, { delegates: 0, phoneVoters: 0 }))).toBe('NOT_ELIGIBLE');
    expect(code(() => checkHallCount(approval, { present: 5, counts: [{ id: 'yes', votes: 1 }, { id: 'yes', votes: 1 }] }, hall))).toBe('VALIDATION_FAILED');
    const secret = buildSpec({ agendaItemId: null, title: 'X', kind: 'approval', mode: 'secret', majority: 'simple' });
    expect(code(() => checkHallCount(secret, { present: 5, counts: counts(1, 0, 0) }, hall))).toBe('PHONE_ONLY');
    const multiple = buildSpec({ agendaItemId: null, title: 'X', kind: 'multiple', mode: 'open', majority: 'simple', options: ['A', 'B', 'C'] });
    expect(code(() => checkHallCount(multiple, { present: 5, counts: [{ id: '1', votes: 1 }] }, hall))).toBe('VALIDATION_FAILED');
  });

  it('lets a phone vote in only while hands plus phones fit the hall', () => {
    const hall = { bridgePointId: 10, present: 5, counts: counts(2, 1, 0) };
    expect(code(() => assertPhoneVoteFits(hall, 2))).toBe('ok');
    expect(code(() => assertPhoneVoteFits(hall, 3))).toBe('DOUBLE_COUNT');
  });
});

describe('hall counts in turnout, result and verification', () => {
  const eligible: EligibleVoter[] = [
    ...[1, 2, 3, 4].map((userId) => ({ userId, bridgePointId: 10, bridgeName: 'Xã A', level: 'commune' as const })),
    { userId: 5, bridgePointId: 20, bridgeName: 'Huyện B', level: 'district' },
  ];
  const halls = [{ bridgePointId: 10, present: 4, counts: counts(2, 0, 1) }];
  const ballots = [
    { voterId: 1, choices: ['no'] },
    { voterId: 5, choices: ['yes'] },
  ];

  it('adds the hall votes to the place, the level and the totals, and reports the split', () => {
    const t = computeTurnout(1, eligible, new Set([1, 5]), halls);
    expect(t).toMatchObject({ voted: 5, eligible: 5 });
    expect(t.byLevel.find((l) => l.level === 'commune')).toEqual({ level: 'commune', voted: 4, eligible: 4 });
    const r = computeResult({ pollId: 1, spec: approval, invited: 5, eligible, voterIds: new Set([1, 5]), ballots, halls, closedAt: 'x', chainHead: 'h' });
    expect(r).toMatchObject({ voted: 5, sources: { phone: 2, hall: 3 }, base: 4, baseKind: 'votes_cast', outcome: 'passed' });
    expect(r.options.map((o) => o.votes)).toEqual([3, 1, 1]);
    // Shares of the base add up: yes 3/4 and no 1/4; abstentions are outside a simple majority's base.
    expect(r.options.filter((o) => o.id !== 'abstain').reduce((n, o) => n + o.votes, 0)).toBe(r.base);
    expect(r.byBridgePoint.find((b) => b.bridgePointId === 10)).toMatchObject({ voted: 4, hall: { present: 4, votes: 3 }, counts: counts(2, 1, 1) });
  });

  it('verification replays the hall counts from the chain and notices a stored count that differs', () => {
    const chain: ChainEntry[] = [];
    const add = (p: LedgerPayload) => chain.push(nextEntry(chain.at(-1) ?? null, p));
    add({ type: 'created', pollId: 1, meetingId: 1, agendaItemId: null, title: 'X', spec: approval, at: 'a' });
    add({ type: 'opened', at: 'b', closesAt: null, invited: 5, eligible });
    for (const b of ballots) add({ type: 'ballot', voterId: b.voterId, choices: b.choices, replaces: false });
    add({ type: 'hall_count', bridgePointId: 10, present: 4, counts: counts(3, 0, 0), by: 9, at: 'c', replaces: false });
    add({ type: 'hall_count', bridgePointId: 10, present: 4, counts: counts(2, 0, 1), by: 9, at: 'd', replaces: true });
    add({ type: 'closed', at: 'e', reason: 'manual' });
    const { chainHead: _, ...core } = computeResult({ pollId: 1, spec: approval, invited: 5, eligible, voterIds: new Set([1, 5]), ballots, halls, closedAt: 'e', chainHead: '' });
    add({ type: 'result', result: core });
    const stored = { entries: chain, openBallots: ballots, secretBallots: [], receipts: [], voterIds: [1, 5], storedResult: null, storedHead: null };
    expect(verifyPoll({ ...stored, hallCounts: halls }).problems).toEqual([]);
    const forged = verifyPoll({ ...stored, hallCounts: [{ ...halls[0]!, counts: counts(3, 0, 0) }] });
    expect(forged.problems).toContain('stored hall counts differ from the chain');
  });
});
