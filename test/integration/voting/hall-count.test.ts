// Hall voting by count (issue 15): a bridge operator enters their hall's show of hands for an open poll.
import { and, count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { HallCountInfo, PollResult, Turnout } from '../../../shared/src/index.ts';
import { loadChain } from '../../../server/src/modules/voting/voting.repo.ts';
import { nextEvent, request } from '../../helpers/app.ts';
import { bearer, bridgeOf, cast, dbRun, expectError, liveRoom, okData, type Member, type Room } from './helpers.ts';

let room: Room | null = null;
afterEach(async () => {
  await room?.close();
  room = null;
});

// daibieu01–10 sit at the provincial hall "Điểm cầu Tỉnh ủy" (operator cau.tinh1); daibieu11 at a district hall.
const HALL_DELEGATES = ['daibieu01', 'daibieu02', 'daibieu03', 'daibieu04', 'daibieu05'];
const approval = (yes: number, no: number, abstain: number) => [
  { id: 'yes', votes: yes },
  { id: 'no', votes: no },
  { id: 'abstain', votes: abstain },
];
const member = (r: Room, name: string): Member => r.members.find((m) => m.username === name)!;
const hallCount = (m: Member, pollId: number, present: number, counts: { id: string; votes: number }[]) =>
  request<HallCountInfo>(m.socket, 'poll:hall-count', { pollId, present, counts });

async function openRoom(extra: Partial<Parameters<Room['create']>[0]> = {}) {
  room = await liveRoom([...HALL_DELEGATES, 'daibieu11'], ['cau.tinh1', 'cau.tinh2']);
  // 6 of 30 invited are present: a low quorum so the outcome is decided by the votes.
  const poll = await room.create({ quorum: { num: 1, den: 10, inclusive: false }, ...extra });
  await room.open(poll.id);
  return { r: room, poll, operator: member(room, 'cau.tinh1'), hall: await bridgeOf(room.t, 'cau.tinh1') };
}

describe('hall voting by count', () => {
  it('entry, change, double counting refused both ways, per-hall display, the phone/hall split, refusal after close', async () => {
    const { r, poll, operator, hall } = await openRoom();
    const [d1, d2] = r.present as [Member, Member];
    const d11 = member(r, 'daibieu11');
    okData(await cast(d1, poll.id, ['yes']));

    // Entry: 5 present, 1 of them voted by phone, so at most 4 hands.
    const seen = nextEvent<HallCountInfo>(r.chair.socket, 'poll:hall-counted');
    const entered = okData(await hallCount(operator, poll.id, 5, approval(3, 1, 0)));
    expect(entered).toMatchObject({ pollId: poll.id, bridgePointId: hall, present: 5, votes: 4, phoneVoters: 1, counts: approval(3, 1, 0) });
    expect(await seen).toEqual(entered);

    // More hands than delegates present, or more present than the hall's delegates at opening.
    expectError(await hallCount(operator, poll.id, 5, approval(6, 0, 0)), 'HALL_COUNT_TOO_LARGE');
    expectError(await hallCount(operator, poll.id, 6, approval(1, 0, 0)), 'HALL_COUNT_TOO_LARGE');
    // The phone voter would be counted twice: 5 present, 1 by phone, 5 hands.
    expectError(await hallCount(operator, poll.id, 5, approval(4, 1, 0)), 'DOUBLE_COUNT');
    // A delegate of the counted hall cannot add a phone vote on top of a count that covers everyone present.
    expectError(await cast(d2, poll.id, ['no']), 'DOUBLE_COUNT');

    // Change until close: the latest count stands.
    const turnout = nextEvent<Turnout>(r.chair.socket, 'poll:turnout-changed');
    const changed = okData(await hallCount(operator, poll.id, 5, approval(2, 1, 1)));
    expect(changed).toMatchObject({ votes: 4, counts: approval(2, 1, 1) });
    const t = await turnout;
    expect(t.byBridgePoint.find((b) => b.bridgePointId === hall)).toMatchObject({ voted: 5, eligible: 5 });
    expect(t.voted).toBe(5);
    // The snapshot shows the count per bridge point to anyone joining.
    const snap = okData(await request<{ poll: { halls: HallCountInfo[] } }>(d11.socket, 'meeting:join', { meetingId: r.meetingId }));
    expect(snap.poll.halls).toEqual([expect.objectContaining({ bridgePointId: hall, present: 5, votes: 4, phoneVoters: 1 })]);

    okData(await cast(d11, poll.id, ['no']));
    const { result } = okData(await request<{ result: PollResult }>(r.chair.socket, 'poll:close', { pollId: poll.id }));
    // 2 phone ballots + 4 hands; percentages of a simple majority are of the votes cast (yes + no).
    expect(result).toMatchObject({ voted: 6, sources: { phone: 2, hall: 4 }, baseKind: 'votes_cast', base: 5, required: 3, outcome: 'passed' });
    expect(result.options.map((o) => o.votes)).toEqual([3, 2, 1]);
    const place = result.byBridgePoint.find((b) => b.bridgePointId === hall)!;
    expect(place).toMatchObject({ voted: 5, eligible: 5, hall: { present: 5, votes: 4 }, counts: approval(3, 1, 1) });
    expect(result.byBridgePoint.find((b) => b.bridgePointId !== hall)!.hall).toBeUndefined();

    // After close the count is frozen.
    expectError(await hallCount(operator, poll.id, 5, approval(1, 0, 0)), 'POLL_CLOSED');

    // The counts are in the poll's chain and the audit log, and the poll still verifies.
    const entries = (await dbRun(r.t, (s) => loadChain(s, poll.id))).map((e) => e.payload as { type: string; replaces?: boolean });
    expect(entries.filter((e) => e.type === 'hall_count').map((e) => e.replaces)).toEqual([false, true]);
    const audited = await dbRun(r.t, async ({ q, t }) => (await q.select({ n: count() }).from(t.auditLog).where(and(eq(t.auditLog.action, 'poll.hall_count'), eq(t.auditLog.targetId, String(poll.id)))))[0]!.n);
    expect(audited).toBe(2);
    const verify = (await r.t.app.inject({ url: `/api/polls/${poll.id}/verify`, headers: bearer(d1.token) })).json();
    expect(verify).toMatchObject({ ok: true, problems: [] });
    expect(verify.recomputed).toEqual(result);
    // The CSV export states the split and the base too.
    const csv = (await r.t.app.inject({ url: `/api/polls/${poll.id}/result.csv`, headers: bearer(d1.token) })).body;
    expect(csv).toContain('voted_by_phone,2');
    expect(csv).toContain('voted_by_hall_count,4');
    expect(csv).toContain('majority_base_of,votes_cast');
  }, 90_000);

  it('phone votes after a count are accepted while hands plus phones fit the hall', async () => {
    const { r, poll, operator, hall } = await openRoom();
    const [d1, d2, d3] = r.present as [Member, Member, Member];
    okData(await hallCount(operator, poll.id, 5, approval(3, 0, 0)));
    okData(await cast(d1, poll.id, ['no']));
    okData(await cast(d2, poll.id, ['no']));
    // 3 hands + 2 phones = 5 present: a sixth vote would count someone twice.
    expectError(await cast(d3, poll.id, ['no']), 'DOUBLE_COUNT');
    // And the count can no longer grow past present minus the two phone voters.
    expectError(await hallCount(operator, poll.id, 5, approval(4, 0, 0)), 'DOUBLE_COUNT');
    const { result } = okData(await request<{ result: PollResult }>(r.chair.socket, 'poll:close', { pollId: poll.id }));
    expect(result.sources).toEqual({ phone: 2, hall: 3 });
    expect(result.byBridgePoint.find((b) => b.bridgePointId === hall)).toMatchObject({ voted: 5, hall: { present: 5, votes: 3 } });
  }, 90_000);

  it('only the operator of a hall with delegates present counts it; secret polls stay phone-only', async () => {
    const { r, poll } = await openRoom();
    const [d1] = r.present as [Member];
    expectError(await hallCount(d1, poll.id, 1, approval(1, 0, 0)), 'FORBIDDEN');
    expectError(await hallCount(r.chair, poll.id, 1, approval(1, 0, 0)), 'FORBIDDEN');
    // No delegate of "Điểm cầu UBND tỉnh" was present at opening: nobody there to count.
    expectError(await hallCount(member(r, 'cau.tinh2'), poll.id, 1, approval(1, 0, 0)), 'NOT_ELIGIBLE');
    expectError(await hallCount(member(r, 'cau.tinh1'), poll.id, 1, [{ id: 'maybe', votes: 1 }]), 'VALIDATION_FAILED');
    okData(await request(r.chair.socket, 'poll:close', { pollId: poll.id }));

    const secret = await r.create({ mode: 'secret' });
    await r.open(secret.id);
    expectError(await hallCount(member(r, 'cau.tinh1'), secret.id, 5, approval(1, 0, 0)), 'PHONE_ONLY');
  }, 90_000);

  it('an absolute majority counted on the invited states that base', async () => {
    const { r, poll } = await openRoom({ majority: 'absolute', majorityBase: 'invited' });
    expect(poll.majorityBase).toBe('invited');
    okData(await hallCount(member(r, 'cau.tinh1'), poll.id, 5, approval(5, 0, 0)));
    const { result } = okData(await request<{ result: PollResult }>(r.chair.socket, 'poll:close', { pollId: poll.id }));
    // 5 of 30 invited is not more than half of those invited.
    expect(result).toMatchObject({ baseKind: 'invited', base: 30, required: 16, outcome: 'rejected' });
    expectError(await request(r.chair.socket, 'poll:create', { agendaItemId: null, title: 'X', kind: 'approval', mode: 'open', majority: 'simple', majorityBase: 'invited' }), 'VALIDATION_FAILED');
  }, 90_000);
});
