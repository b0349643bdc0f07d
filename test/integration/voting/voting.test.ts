import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { PollResult, PollView, Turnout } from '../../../shared/src/index.ts';
import { constraintKind } from '../../../server/src/lib/db-errors.ts';
import { flipVoter, insertVoters } from '../../../server/src/modules/voting/voting.repo.ts';
import { nextEvent, noEvent, request } from '../../helpers/app.ts';
import { bearer, bridgeOf, cast, dbRun, expectError, join, liveRoom, okData, type Room } from './helpers.ts';

let room: Room | null = null;
afterEach(async () => {
  await room?.close();
  room = null;
});

describe('voting: open ballots', () => {
  it('pushes turnout per level to every screen, per bridge point to the secretariat (a bridge screen: its own), and tallies to the secretariat only', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02', 'daibieu11'], ['quansat', 'daibieu03', 'cau.tinh1']);
    const [d1, d2, d11] = room.present as [any, any, any];
    const observer = room.members.find((m) => m.username === 'quansat')!;
    const operator = room.members.find((m) => m.username === 'cau.tinh1')!;
    const ownBridge = await bridgeOf(room.t, 'cau.tinh1');
    const poll = await room.create({ title: 'Thông qua báo cáo sơ kết' });
    expect(poll.status).toBe('draft');

    const opened = nextEvent<{ poll: PollView; turnout: Turnout }>(observer.socket, 'poll:opened');
    const openedPoll = await room.open(poll.id);
    expect(openedPoll).toMatchObject({ status: 'open', invitedCount: 30, eligibleCount: 3, quorumMet: false });
    const o = await opened;
    expect(o.turnout).toMatchObject({ voted: 0, eligible: 3 });

    const turnout = nextEvent<Turnout>(observer.socket, 'poll:turnout-changed');
    const chairTurnout = nextEvent<Turnout>(room.chair.socket, 'poll:turnout-changed');
    const bridgeTurnout = nextEvent<Turnout>(operator.socket, 'poll:turnout-changed');
    const tally = nextEvent<{ counts: { id: string; votes: number }[] }>(room.chair.socket, 'poll:tally-changed');
    const noTallyForDelegates = noEvent(d2.socket, 'poll:tally-changed', 600);
    const noTallyForObserver = noEvent(observer.socket, 'poll:tally-changed', 600);
    const ack = okData(await cast(d1, poll.id, ['yes']));
    expect(ack).toEqual({ pollId: poll.id, receipt: null, changed: false });
    const t1 = await turnout;
    expect(t1).toMatchObject({ pollId: poll.id, voted: 1, eligible: 3 });
    const provincial = t1.byLevel.find((l) => l.level === 'provincial')!;
    expect(provincial).toEqual({ level: 'provincial', voted: 1, eligible: 2 });
    expect(t1.byLevel.find((l) => l.level === 'district')).toEqual({ level: 'district', voted: 0, eligible: 1 });
    // A phone's (or an observer's) copy stays the same size however many bridge points the meeting has.
    expect(t1.byBridgePoint).toEqual([]);
    const full = await chairTurnout;
    expect(full).toMatchObject({ voted: 1, eligible: 3, byLevel: t1.byLevel });
    const hall = full.byBridgePoint.find((b) => b.eligible === 2)!;
    expect(hall).toMatchObject({ level: 'provincial', voted: 1, eligible: 2 });
    expect(full.byBridgePoint.length).toBeGreaterThan(1);
    const own = await bridgeTurnout;
    expect(own.byBridgePoint.map((b) => b.bridgePointId)).toEqual([ownBridge]);
    expect(own.byBridgePoint[0]).toEqual(full.byBridgePoint.find((b) => b.bridgePointId === ownBridge));
    expect((await tally).counts).toEqual([
      { id: 'yes', votes: 1 },
      { id: 'no', votes: 0 },
      { id: 'abstain', votes: 0 },
    ]);
    expect(await noTallyForDelegates).toBe(true);
    expect(await noTallyForObserver).toBe(true);

    okData(await cast(d2, poll.id, ['no']));
    okData(await cast(d11, poll.id, ['yes']));
    const closed = nextEvent<{ poll: PollView; result: PollResult }>(room.chair.socket, 'poll:closed');
    const closedOnPhone = nextEvent<{ poll: PollView; result: PollResult }>(d2.socket, 'poll:closed');
    const closedOnBridge = nextEvent<{ poll: PollView; result: PollResult }>(operator.socket, 'poll:closed');
    const res = okData(await request<{ result: PollResult }>(room.chair.socket, 'poll:close', { pollId: poll.id }));
    const { result } = await closed;
    expect(result).toEqual(res.result);
    // The result as the phones and the bridge screens get it: the same, with their subtotals by place only.
    expect((await closedOnPhone).result).toEqual({ ...res.result, byBridgePoint: [] });
    expect((await closedOnBridge).result).toEqual({ ...res.result, byBridgePoint: res.result.byBridgePoint.filter((b) => b.bridgePointId === ownBridge) });
    // 3 of 30 invited are present: no quorum, so nothing carries whatever the votes.
    expect(result).toMatchObject({ voted: 3, eligible: 3, outcome: 'no_quorum', quorum: { invited: 30, present: 3, met: false } });
    expect(result.options.map((x) => x.votes)).toEqual([2, 1, 0]);
    const district = result.byLevel.find((l) => l.level === 'district')!;
    expect(district.counts).toEqual([
      { id: 'yes', votes: 1 },
      { id: 'no', votes: 0 },
      { id: 'abstain', votes: 0 },
    ]);
  });

  it('rejects a double vote, in code and in the database', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02']);
    const [d1] = room.present as [any];
    const poll = await room.create({});
    await room.open(poll.id);
    okData(await cast(d1, poll.id, ['yes']));
    expectError(await cast(d1, poll.id, ['no']), 'ALREADY_VOTED');
    // Even if code were bypassed, the UNIQUE index refuses a second voter row, and the flag flips once.
    const refused = await room.t.app.database.tx((s) => insertVoters(s, poll.id, [d1.userId])).catch((err: unknown) => err);
    expect(constraintKind(refused)).toBe('UNIQUE');
    expect(await room.t.app.database.tx((s) => flipVoter(s, poll.id, d1.userId))).toBe(false);
    // A second socket of the same delegate is the same delegate.
    const again = await join(room.t, 'daibieu01', room.meetingId, d1.token);
    room.members.push(again);
    expectError(await cast(again, poll.id, ['abstain']), 'ALREADY_VOTED');
    const res = okData(await request<{ result: PollResult }>(room.chair.socket, 'poll:close', { pollId: poll.id }));
    expect(res.result.options.map((x) => x.votes)).toEqual([1, 0, 0]);
  });

  it('rejects absent, ineligible and late-arriving voters', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02'], ['daibieu03', 'quansat', 'cau.tinh1']);
    const poll = await room.create({});
    await room.open(poll.id);
    const by = (u: string) => room!.members.find((m) => m.username === u)!;
    expectError(await cast(by('daibieu03'), poll.id, ['yes']), 'NOT_ELIGIBLE'); // invited, not present
    expectError(await cast(by('quansat'), poll.id, ['yes']), 'NOT_ELIGIBLE'); // observer
    expectError(await cast(by('cau.tinh1'), poll.id, ['yes']), 'NOT_ELIGIBLE'); // bridge operator
    expectError(await cast(room.chair, poll.id, ['yes']), 'NOT_ELIGIBLE'); // secretariat
    // Arriving after the poll opened does not make one eligible: the list was frozen.
    okData(await request(by('daibieu03').socket, 'presence:set-delegate', { meetingId: room.meetingId, status: 'present_online' }));
    expectError(await cast(by('daibieu03'), poll.id, ['yes']), 'NOT_ELIGIBLE');
    // Not joined to any meeting: no vote.
    const stray = await join(room.t, 'daibieu04', room.meetingId);
    room.members.push(stray);
    okData(await request(stray.socket, 'meeting:leave', {}));
    expectError(await cast(stray, poll.id, ['yes']), 'NOT_MEMBER');
    // Bad ballots are typed errors, never crashes.
    const [d1] = room.present as [any];
    expectError(await cast(d1, poll.id, ['yes', 'no']), 'VALIDATION_FAILED');
    expectError(await cast(d1, poll.id, ['maybe']), 'VALIDATION_FAILED');
    expectError(await request(d1.socket, 'vote:cast', { pollId: poll.id, choices: 'yes' }), 'VALIDATION_FAILED');
    expectError(await request(d1.socket, 'vote:cast', { pollId: poll.id, choices: ['yes'], voterId: 5 }), 'VALIDATION_FAILED');
    expectError(await cast(d1, 999_999, ['yes']), 'NOT_FOUND');
    // Delegates cannot run polls.
    expectError(await request(d1.socket, 'poll:close', { pollId: poll.id }), 'FORBIDDEN');
    okData(await cast(d1, poll.id, ['yes']));
  });

  it('rejects votes after close and on a poll of another meeting', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02']);
    const [d1, d2] = room.present as [any, any];
    const poll = await room.create({});
    await room.open(poll.id);
    okData(await cast(d1, poll.id, ['yes']));
    okData(await request(room.chair.socket, 'poll:close', { pollId: poll.id }));
    expectError(await cast(d2, poll.id, ['yes']), 'POLL_CLOSED');
    expectError(await request(room.chair.socket, 'poll:open', { pollId: poll.id }), 'ILLEGAL_TRANSITION');
    expectError(await request(room.chair.socket, 'poll:close', { pollId: poll.id }), 'ILLEGAL_TRANSITION');
    expectError(await request(room.chair.socket, 'poll:cancel', { pollId: poll.id }), 'ILLEGAL_TRANSITION');
    const draft = await room.create({ title: 'Chưa mở' });
    expectError(await cast(d2, draft.id, ['yes']), 'POLL_CLOSED');
    // A poll of another meeting (open, even) is invisible from this one.
    const other = await dbRun(room.t, async ({ q, t }) => {
      const [m] = await q.select().from(t.meetings).where(eq(t.meetings.id, room!.meetingId));
      const [p] = await q.select().from(t.polls).where(eq(t.polls.id, poll.id));
      const [{ id: meetingId }] = (await q
        .insert(t.meetings)
        .values({ title: 'Khác', kind: 'briefing', startsAt: m!.startsAt, endsAt: m!.endsAt, status: 'live', chairUnitId: m!.chairUnitId })
        .returning({ id: t.meetings.id })) as [{ id: number }];
      return (await q.insert(t.polls).values({ meetingId, title: 'Khác', spec: p!.spec, status: 'open' }).returning({ id: t.polls.id }))[0]!;
    });
    expectError(await cast(d2, other.id, ['yes']), 'NOT_FOUND');
  });

  it('exports the result as JSON and CSV with subtotals, and lets a delegate change an open ballot when allowed', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02', 'daibieu11']);
    const [d1, d2, d11] = room.present as [any, any, any];
    // A low quorum (more than 1/20 of the 30 invited) so the 3 present can decide.
    const poll = await room.create({ kind: 'single', options: ['Phương án 1', 'Phương án 2'], allowChange: true, majority: 'absolute', quorum: { num: 1, den: 20, inclusive: false } });
    await room.open(poll.id);
    okData(await cast(d1, poll.id, ['1']));
    okData(await cast(d2, poll.id, ['2']));
    expect(okData(await cast(d2, poll.id, ['1']))).toMatchObject({ changed: true });
    okData(await cast(d11, poll.id, ['2']));
    okData(await request(room.chair.socket, 'poll:close', { pollId: poll.id }));
    const published = nextEvent<{ chainHead: string }>(d11.socket, 'poll:published');
    const pub = okData(await request<{ chainHead: string; result: PollResult }>(room.chair.socket, 'poll:publish', { pollId: poll.id }));
    expect((await published).chainHead).toBe(pub.chainHead);

    const json = await room.t.app.inject({ url: `/api/polls/${poll.id}/result`, headers: bearer(d1.token) });
    expect(json.statusCode).toBe(200);
    const r = json.json().result as PollResult;
    expect(r.options.map((o) => [o.id, o.votes])).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
    expect(r).toMatchObject({ majority: 'absolute', base: 3, required: 2, outcome: 'passed', winners: ['1'], quorum: { met: true } });
    const csv = await room.t.app.inject({ url: `/api/polls/${poll.id}/result.csv`, headers: bearer(d1.token) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const text = csv.body.replace(/^\uFEFF/, '');
    expect(text).toMatch(/^poll_id,\d+/);
    expect(text).toContain('section,level,bridge_point_id,bridge_point,eligible,voted,Phương án 1,Phương án 2');
    expect(text).toMatch(/\ntotal,,,,3,3,2,1\r?\n/);
    expect(text).toMatch(/\nlevel,provincial,,,2,2,2,0\r?\n/);
    expect(text).toMatch(/\nlevel,district,,,1,1,0,1\r?\n/);
    expect(text).toMatch(/\nbridge_point,provincial,\d+,[^,]+,2,2,2,0\r?\n/);
    expect(text).toContain('quorum_met,yes');
    expect(text).toContain('outcome,passed');
    expect(text).toContain('winners,Phương án 1');
    // Open ballots are named in the published list.
    const list = await room.t.app.inject({ url: `/api/polls/${poll.id}/ballots`, headers: bearer(d11.token) });
    expect(list.json().ballots.map((b: any) => [b.voterId, b.choices[0]]).sort()).toEqual(
      [
        [d1.userId, '1'],
        [d2.userId, '1'],
        [d11.userId, '2'],
      ].sort(),
    );
    const verify = await room.t.app.inject({ url: `/api/polls/${poll.id}/verify?head=${pub.chainHead}`, headers: bearer(d1.token) });
    expect(verify.json()).toMatchObject({ ok: true, problems: [], chainHead: pub.chainHead });
  });

  it('shows the open poll in the join snapshot', async () => {
    room = await liveRoom(['daibieu01', 'daibieu02']);
    const [d1] = room.present as [any];
    const poll = await room.create({});
    await room.open(poll.id);
    okData(await cast(d1, poll.id, ['yes']));
    const again = await join(room.t, 'daibieu01', room.meetingId, d1.token);
    const chair2 = await join(room.t, 'vanphong', room.meetingId, room.chair.token);
    room.members.push(again, chair2);
    expect(again.snapshot.poll).toMatchObject({ poll: { id: poll.id, status: 'open' }, eligible: true, voted: true, tally: null, turnout: { voted: 1, eligible: 2 } });
    // Snapshots are shaped like the pushes: a phone's has no per-bridge rows, the secretariat's has them all.
    expect((again.snapshot.poll as any).turnout.byBridgePoint).toEqual([]);
    expect((chair2.snapshot.poll as any).turnout.byBridgePoint.length).toBeGreaterThan(0);
    expect((chair2.snapshot.poll as any).tally).toEqual([
      { id: 'yes', votes: 1 },
      { id: 'no', votes: 0 },
      { id: 'abstain', votes: 0 },
    ]);
  });
});
