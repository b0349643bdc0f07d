import { describe, expect, it } from 'vitest';
import { nextEntry, entryHash, type ChainEntry } from '../../../server/src/modules/voting/voting.chain.ts';
import { verifyPoll, type LedgerPayload, type StoredPoll } from '../../../server/src/modules/voting/voting.ledger.ts';
import { computeResult, computeTurnout, type EligibleVoter } from '../../../server/src/modules/voting/voting.result.ts';
import { buildSpec, type PollSpec } from '../../../server/src/modules/voting/voting.rules.ts';

const eligible: EligibleVoter[] = [
  { userId: 1, bridgePointId: 10, bridgeName: 'Tỉnh ủy', level: 'provincial' },
  { userId: 2, bridgePointId: 10, bridgeName: 'Tỉnh ủy', level: 'provincial' },
  { userId: 3, bridgePointId: 20, bridgeName: 'Huyện A', level: 'district' },
  { userId: 4, bridgePointId: 30, bridgeName: 'Xã B', level: 'commune' },
  { userId: 5, bridgePointId: null, bridgeName: 'Trực tuyến', level: 'commune' },
];
const votes: [number, string[]][] = [
  [1, ['yes']],
  [3, ['no']],
  [4, ['yes']],
  [5, ['abstain']],
];

/** Simulates what the service writes for a poll: the chain plus the stored rows. */
function simulate(mode: 'open' | 'secret'): StoredPoll & { spec: PollSpec } {
  const spec = buildSpec({ agendaItemId: 3, title: 'Thông qua nghị quyết', kind: 'approval', mode, majority: 'simple' });
  const chain: ChainEntry[] = [];
  const add = (p: LedgerPayload) => chain.push(nextEntry(chain.at(-1) ?? null, p));
  add({ type: 'created', pollId: 9, meetingId: 2, agendaItemId: 3, title: 'Thông qua nghị quyết', spec, at: '2025-01-01T08:00:00.000Z' });
  add({ type: 'opened', at: '2025-01-01T08:01:00.000Z', closesAt: null, invited: 6, eligible });
  const secretBallots = votes.map(([, choices]) => ({ choices })).sort((a, b) => a.choices.join().localeCompare(b.choices.join()));
  const receipts = votes.map((_, i) => `AAAA-BBBB-000${i}`);
  for (const [voterId, choices] of votes) add(mode === 'open' ? { type: 'ballot', voterId, choices, replaces: false } : { type: 'cast', replaces: false });
  add({ type: 'closed', at: '2025-01-01T08:05:00.000Z', reason: 'manual' });
  if (mode === 'secret') {
    for (const b of secretBallots) add({ type: 'sealed', choices: b.choices });
    add({ type: 'receipts', receipts });
  }
  const voterIds = votes.map(([id]) => id);
  const base = computeResult({
    pollId: 9,
    spec,
    invited: 6,
    eligible,
    voterIds: new Set(voterIds),
    ballots: votes.map(([voterId, choices]) => ({ voterId: mode === 'open' ? voterId : null, choices })),
    closedAt: '2025-01-01T08:05:00.000Z',
    chainHead: '',
  });
  const { chainHead: _, ...sealed } = base;
  add({ type: 'result', result: sealed });
  const storedResult = { ...base, chainHead: chain.at(-1)!.hash };
  add({ type: 'published', at: '2025-01-01T08:06:00.000Z' });
  return {
    spec,
    entries: chain,
    openBallots: mode === 'open' ? votes.map(([voterId, choices]) => ({ voterId, choices })) : [],
    secretBallots: mode === 'secret' ? secretBallots : [],
    receipts: mode === 'secret' ? receipts : [],
    voterIds,
    storedResult,
    storedHead: chain.at(-1)!.hash,
  };
}

describe('result assembly', () => {
  it('computes outcome, quorum and per-place subtotals for open ballots', () => {
    const s = simulate('open');
    const r = s.storedResult!;
    expect(r).toMatchObject({ eligible: 5, voted: 4, base: 3, required: 2, outcome: 'passed', winners: ['yes'] });
    expect(r.quorum).toEqual({ rule: { num: 1, den: 2, inclusive: false }, invited: 6, present: 5, met: true });
    expect(r.options.map((o) => [o.id, o.votes, o.carried])).toEqual([
      ['yes', 2, true],
      ['no', 1, false],
      ['abstain', 1, false],
    ]);
    expect(r.byLevel).toEqual([
      { level: 'provincial', voted: 1, eligible: 2, counts: [{ id: 'yes', votes: 1 }, { id: 'no', votes: 0 }, { id: 'abstain', votes: 0 }] },
      { level: 'district', voted: 1, eligible: 1, counts: [{ id: 'yes', votes: 0 }, { id: 'no', votes: 1 }, { id: 'abstain', votes: 0 }] },
      { level: 'commune', voted: 2, eligible: 2, counts: [{ id: 'yes', votes: 1 }, { id: 'no', votes: 0 }, { id: 'abstain', votes: 1 }] },
    ]);
    expect(r.byBridgePoint.map((p) => [p.bridgePointId, p.voted, p.eligible])).toEqual([
      [10, 1, 2],
      [20, 1, 1],
      [null, 1, 1],
      [30, 1, 1],
    ]);
  });
  it('secret results carry turnout subtotals but no choices by place', () => {
    const r = simulate('secret').storedResult!;
    expect(r.options.map((o) => o.votes)).toEqual([2, 1, 1]);
    expect(r.byLevel.every((l) => l.counts === null)).toBe(true);
    expect(r.byBridgePoint.every((p) => p.counts === null)).toBe(true);
    expect(r.byLevel.map((l) => l.voted)).toEqual([1, 1, 2]);
  });
  it('turnout has no choices', () => {
    const t = computeTurnout(9, eligible, new Set([1, 2, 5]));
    expect(t).toEqual({
      pollId: 9,
      voted: 3,
      eligible: 5,
      byLevel: [
        { level: 'provincial', voted: 2, eligible: 2 },
        { level: 'district', voted: 0, eligible: 1 },
        { level: 'commune', voted: 1, eligible: 2 },
      ],
      byBridgePoint: [
        { bridgePointId: 10, name: 'Tỉnh ủy', level: 'provincial', voted: 2, eligible: 2 },
        { bridgePointId: 20, name: 'Huyện A', level: 'district', voted: 0, eligible: 1 },
        { bridgePointId: null, name: 'Trực tuyến', level: 'commune', voted: 1, eligible: 1 },
        { bridgePointId: 30, name: 'Xã B', level: 'commune', voted: 0, eligible: 1 },
      ],
    });
  });
});

describe.each(['open', 'secret'] as const)('verify (%s ballots)', (mode) => {
  it('an untouched poll verifies and re-tallies to the stored result', () => {
    const s = simulate(mode);
    const r = verifyPoll(s);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.chainHead).toBe(s.storedHead);
    expect(r.recomputed).toEqual(s.storedResult);
  });
  it('detects a ballot changed in the database', () => {
    const s = simulate(mode);
    if (mode === 'open') s.openBallots = s.openBallots.map((b) => (b.voterId === 3 ? { ...b, choices: ['yes'] } : b));
    else s.secretBallots = s.secretBallots.map((b, i) => (i === 1 ? { ...b, choices: ['yes'] } : b));
    const r = verifyPoll(s);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain('re-tally differs from the result sealed in the chain');
    expect(r.problems.some((p) => /differ from/.test(p))).toBe(true);
  });
  it('detects a ballot stuffed into the database', () => {
    const s = simulate(mode);
    s.voterIds = [...s.voterIds, 2];
    if (mode === 'open') s.openBallots = [...s.openBallots, { voterId: 2, choices: ['yes'] }];
    else s.secretBallots = [...s.secretBallots, { choices: ['yes'] }];
    expect(verifyPoll(s).ok).toBe(false);
  });
  it('detects an edited chain entry', () => {
    const s = simulate(mode);
    const e = s.entries[1]!;
    s.entries = s.entries.map((x, i) => (i === 1 ? { ...e, payload: { ...e.payload, invited: 100 } } : x));
    const r = verifyPoll(s);
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/entry 1 \(opened\): content does not match its hash/);
  });
  it('detects a forged result even when the chain is rehashed', () => {
    const s = simulate(mode);
    const idx = s.entries.findIndex((e) => e.payload.type === 'result');
    const forged = structuredClone(s.entries);
    const res = forged[idx]!.payload as Extract<LedgerPayload, { type: 'result' }>;
    res.result.outcome = 'rejected';
    for (let i = idx; i < forged.length; i++) {
      forged[i]!.prevHash = forged[i - 1]!.hash;
      forged[i]!.hash = entryHash(i, forged[i]!.prevHash, forged[i]!.payload);
    }
    const r = verifyPoll({ ...s, entries: forged, storedHead: forged.at(-1)!.hash, storedResult: null });
    expect(r.problems).toEqual(['re-tally differs from the result sealed in the chain']);
    // And against the head announced at the meeting:
    expect(verifyPoll({ ...s, entries: forged, storedHead: null, expectedHead: s.storedHead }).problems).toContain(
      'chain head differs from the announced head',
    );
  });
  it('detects a stored head that does not match', () => {
    const s = simulate(mode);
    expect(verifyPoll({ ...s, storedHead: 'f'.repeat(64) }).problems).toContain('stored chain head does not match the chain');
  });
});

describe('verify specifics', () => {
  it('flags an ineligible voter', () => {
    const s = simulate('open');
    s.voterIds = [...s.voterIds, 99];
    expect(verifyPoll(s).problems).toContain('delegate 99 voted but was not eligible');
  });
  it('secret chain entries carry neither identity nor choice before close; sealed ballots carry no receipt', () => {
    const s = simulate('secret');
    const casts = s.entries.filter((e) => e.payload.type === 'cast');
    expect(casts.map((e) => Object.keys(e.payload).sort())).toEqual(Array(4).fill(['replaces', 'type']));
    const sealed = s.entries.filter((e) => e.payload.type === 'sealed');
    expect(sealed.map((e) => Object.keys(e.payload).sort())).toEqual(Array(4).fill(['choices', 'type']));
    expect(JSON.stringify(s.entries)).not.toMatch(/voterId/);
  });
  it('detects a receipt added to or dropped from the stored list', () => {
    const s = simulate('secret');
    expect(verifyPoll(s).ok).toBe(true);
    expect(verifyPoll({ ...s, receipts: [...s.receipts, 'ZZZZ-ZZZZ-ZZZZ'] }).problems).toContain('stored receipts differ from those sealed in the chain');
    expect(verifyPoll({ ...s, receipts: s.receipts.slice(1) }).problems).toContain('stored receipts differ from those sealed in the chain');
  });
  it('does not count sealed boxes of a secret poll still open as missing', () => {
    const s = simulate('secret');
    const open = s.entries.slice(0, s.entries.findIndex((e) => e.payload.type === 'closed'));
    expect(verifyPoll({ ...s, entries: open, secretBallots: [], receipts: [], storedResult: null, storedHead: null }).problems).toEqual([]);
  });
});
