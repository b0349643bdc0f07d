/**
 * The conference room over real Socket.IO connections on the seeded demo
 * province: snapshot, who receives what, roles, malformed input, persistence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { Snapshot, type FloorView, type RollCallView } from '@diemcau/shared';
import { listFloorLog } from '../../../server/src/modules/conference/conference.repo.ts';
import { buildTestApp, connect, login, noEvent, nextEvent, request, type TestApp } from '../../helpers/app.ts';
import { cmd, demo, expectError, join, meetingStatus, okData, type Demo, type Member } from './helpers.ts';

const snapshotValid = Compile(Snapshot);

let t: TestApp;
let d: Demo;
const open: Member[] = [];
const member = async (username: string, meetingId = d.meetingId) => {
  const m = await join(t, username, meetingId);
  open.push(m);
  return m;
};

beforeEach(async () => {
  t = await buildTestApp();
  await t.listen();
  d = demo(t);
});
afterEach(async () => {
  for (const m of open.splice(0)) m.socket.close();
  await t.close();
});

describe('join snapshot', () => {
  it('gives a member the whole room in one typed snapshot', async () => {
    const chair = await member('vanphong');
    const s = chair.snapshot;
    expect(snapshotValid.Check(s), JSON.stringify([...snapshotValid.Errors(s)].slice(0, 3))).toBe(true);
    expect(s.meeting).toMatchObject({ id: d.meetingId, status: 'scheduled' });
    expect(s.agenda.status).toBe('scheduled');
    expect(s.agenda.items.length).toBeGreaterThan(1);
    expect(s.agenda.currentItemId).toBeNull();
    expect(s.presence.bridges).toHaveLength(213);
    expect(s.presence.counts.overall).toMatchObject({ bridges: 213, delegates: 30 });
    expect(s.presence.counts.provincial.bridges).toBe(2);
    expect(s.presence.counts.district.bridges).toBe(11);
    expect(s.presence.counts.commune.bridges).toBe(200);
    expect(s.floor).toMatchObject({ itemId: null, queue: [], speaker: null });
    expect(s.you).toMatchObject({ chair: true, role: 'secretariat' });
  });

  it('marks a bridge online when its operator joins, and tells the room', async () => {
    const chair = await member('vanphong');
    const changed = nextEvent<{ bridges: { bridgePointId: number; status: string }[]; counts: { overall: { online: number } } }>(
      chair.socket,
      'presence:changed',
    );
    const op = await member('cau.991');
    const bp = d.bridgeOf('cau.991');
    expect(op.snapshot.presence.bridges.find((b) => b.bridgePointId === bp)!.status).toBe('online');
    expect(op.snapshot.you).toMatchObject({ chair: false, bridgePointId: bp });
    const ev = await changed;
    expect(ev.bridges).toEqual([expect.objectContaining({ bridgePointId: bp, status: 'online' })]);
    expect(ev.counts.overall.online).toBe(1);
  });
});

describe('membership', () => {
  it('refuses a non-member and gives them nothing', async () => {
    const chair = await member('vanphong');
    const op = await connect(t.url, await login(t.app, 'cau.991'));
    try {
      expectError(await request(op, 'meeting:join', { meetingId: d.otherMeetingId }), 'NOT_MEMBER');
      // Commands before a successful join are refused too.
      expectError(await request(op, 'floor:request', { meetingId: d.otherMeetingId }), 'NOT_MEMBER');
      const silent = noEvent(op, 'meeting:started');
      okData(await cmd(chair, 'meeting:start', d.meetingId));
      expect(await silent).toBe(true);
    } finally {
      op.close();
    }
  });

  it('refuses a command aimed at another meeting than the one joined', async () => {
    const chair = await member('vanphong');
    expectError(await cmd(chair, 'meeting:start', d.otherMeetingId), 'NOT_MEMBER');
    expect(meetingStatus(t, d.otherMeetingId)).toBe('scheduled');
  });

  it('broadcasts to every member of the meeting and only to them', async () => {
    const chair = await member('vanphong');
    const members = [chair, await member('cau.991'), await member('daibieu01'), await member('quansat'), await member('admin')];
    // The secretariat in another meeting of the province hears nothing of this one.
    const elsewhere = await member('vanphong', d.otherMeetingId);
    const started = members.map((m) => nextEvent<{ meetingId: number; status: string }>(m.socket, 'meeting:started'));
    const agenda = members.map((m) => nextEvent<{ agenda: { status: string; currentItemId: number } }>(m.socket, 'agenda:changed'));
    const silent = noEvent(elsewhere.socket, 'meeting:started', 600);
    const ack = okData(await cmd<{ status: string; currentItemId: number }>(chair, 'meeting:start', d.meetingId));
    expect(ack.status).toBe('live');
    for (const ev of await Promise.all(started)) expect(ev).toMatchObject({ meetingId: d.meetingId, status: 'live' });
    for (const ev of await Promise.all(agenda)) expect(ev.agenda).toMatchObject({ status: 'live', currentItemId: ack.currentItemId });
    expect(await silent).toBe(true);
    // The meeting row follows: scheduled → live.
    expect(meetingStatus(t, d.meetingId)).toBe('live');
  });
});

describe('roles and input', () => {
  it('gives the wrong role an error ack', async () => {
    const chair = await member('vanphong');
    const delegate = await member('daibieu01');
    const op = await member('cau.991');
    const obs = await member('quansat');
    expectError(await cmd(delegate, 'meeting:start', d.meetingId), 'FORBIDDEN');
    expectError(await cmd(op, 'rollcall:start', d.meetingId), 'FORBIDDEN');
    okData(await cmd(chair, 'meeting:start', d.meetingId));
    expectError(await cmd(obs, 'floor:request', d.meetingId), 'FORBIDDEN');
    expectError(await cmd(chair, 'floor:request', d.meetingId), 'FORBIDDEN');
    expectError(await cmd(delegate, 'timer:start', d.meetingId), 'FORBIDDEN');
    expectError(await cmd(op, 'presence:set-bridge', d.meetingId, { bridgePointId: d.bridgeOf('cau.tinh1'), status: 'degraded' }), 'FORBIDDEN');
    expectError(await cmd(delegate, 'presence:set-delegate', d.meetingId, { userId: d.userId('daibieu02'), status: 'present_online' }), 'FORBIDDEN');
    okData(await cmd(delegate, 'floor:request', d.meetingId));
    expectError(await cmd(delegate, 'floor:grant', d.meetingId, { requestId: 1 }), 'FORBIDDEN');
    expectError(await cmd(op, 'floor:reorder', d.meetingId, { requestIds: [1] }), 'FORBIDDEN');
  });

  it('rejects malformed, unknown and oversized input with typed errors and stays connected', async () => {
    const chair = await member('vanphong');
    const s = chair.socket;
    expectError(await request(s, 'meeting:start', {}), 'VALIDATION_FAILED');
    expectError(await request(s, 'meeting:start', null), 'VALIDATION_FAILED');
    expectError(await request(s, 'meeting:start', { meetingId: '1' }), 'VALIDATION_FAILED');
    expectError(await request(s, 'meeting:start', { meetingId: d.meetingId, extra: true }), 'VALIDATION_FAILED');
    expectError(await request(s, 'timer:extend', { meetingId: d.meetingId, minutes: 0 }), 'VALIDATION_FAILED');
    expectError(await request(s, 'timer:extend', { meetingId: d.meetingId, minutes: 2.5 }), 'VALIDATION_FAILED');
    expectError(await request(s, 'floor:grant', { meetingId: d.meetingId, requestId: 1, limitSeconds: 99999 }), 'VALIDATION_FAILED');
    expectError(await request(s, 'presence:set-delegate', { meetingId: d.meetingId, status: 'asleep' }), 'VALIDATION_FAILED');
    expectError(await request(s, 'floor:request', { meetingId: d.meetingId, topic: 'x'.repeat(201) }), 'VALIDATION_FAILED');
    expectError(await request(s, 'floor:reorder', { meetingId: d.meetingId, requestIds: 'all' }), 'VALIDATION_FAILED');
    expectError(await request(s, 'meeting:explode', { meetingId: d.meetingId }), 'UNKNOWN_EVENT');
    expectError(await request(s, 'floor:request', { meetingId: d.meetingId, topic: 'x'.repeat(100_000) }), 'PAYLOAD_TOO_LARGE');
    // A semantically wrong but well-formed command gets the machine's own error.
    expectError(await request(s, 'timer:start', { meetingId: d.meetingId }), 'MEETING_NOT_LIVE');
    expect(s.connected).toBe(true);
    okData(await cmd(chair, 'meeting:start', d.meetingId));
  });
});

describe('a conference, end to end', () => {
  it('runs agenda, timer, floor, presence and roll-call, and keeps the floor log', async () => {
    const chair = await member('vanphong');
    const op = await member('cau.991');
    const delegate = await member('daibieu01');
    const M = d.meetingId;
    const items = chair.snapshot.agenda.items;
    okData(await cmd(chair, 'meeting:start', M));
    okData(await cmd(chair, 'agenda:set-current', M, { itemId: items[1]!.id }));
    expectError(await cmd(chair, 'agenda:set-current', M, { itemId: 999_999 }), 'NOT_FOUND');

    const timerSeen = nextEvent<{ timer: { status: string } }>(delegate.socket, 'timer:changed');
    const running = okData(await cmd<{ status: string; allottedMs: number }>(chair, 'timer:start', M));
    expect(running.status).toBe('running');
    expect((await timerSeen).timer.status).toBe('running');
    const extended = okData(await cmd<{ allottedMs: number; extendedMs: number }>(chair, 'timer:extend', M, { minutes: 5 }));
    expect(extended.extendedMs).toBe(5 * 60_000);
    expect(extended.allottedMs).toBe(running.allottedMs + 5 * 60_000);
    expectError(await cmd(chair, 'timer:start', M), 'ILLEGAL_TRANSITION');
    expect(okData(await cmd<{ status: string }>(chair, 'timer:pause', M)).status).toBe('paused');

    // Floor: a delegate and a bridge ask, the chair reorders and grants.
    const requested = nextEvent<{ request: { userId: number } }>(chair.socket, 'floor:requested');
    const r1 = okData(await cmd<{ id: number; itemId: number }>(delegate, 'floor:request', M, { topic: 'Về dự toán', itemId: items[1]!.id }));
    expect((await requested).request.userId).toBe(d.userId('daibieu01'));
    expectError(await cmd(delegate, 'floor:request', M), 'CONFLICT');
    expectError(await cmd(op, 'floor:request', M, { itemId: items[0]!.id }), 'CONFLICT');
    const r2 = okData(await cmd<{ id: number; displayName: string; bridgePointId: number }>(op, 'floor:request', M));
    expect(r2).toMatchObject({ bridgePointId: d.bridgeOf('cau.991'), displayName: expect.stringContaining('Điểm cầu') });
    const reordered = okData(await cmd<FloorView>(chair, 'floor:reorder', M, { requestIds: [r2.id, r1.id] }));
    expect(reordered.queue.map((q) => q.id)).toEqual([r2.id, r1.id]);
    expectError(await cmd(chair, 'floor:reorder', M, { requestIds: [r1.id] }), 'CONFLICT');

    const granted = nextEvent<{ speaker: { id: number; limitMs: number } }>(op.socket, 'floor:granted');
    const sp = okData(await cmd<{ id: number; endsAt: number; grantedAt: number }>(chair, 'floor:grant', M, { requestId: r2.id, limitSeconds: 120 }));
    expect(sp.endsAt - sp.grantedAt).toBe(120_000);
    expect(await granted).toMatchObject({ speaker: { id: r2.id, limitMs: 120_000 } });
    expectError(await cmd(chair, 'floor:grant', M, { requestId: r1.id }), 'ILLEGAL_TRANSITION');
    // The speaker yields; the delegate withdraws.
    const revoked = nextEvent<{ reason: string }>(chair.socket, 'floor:revoked');
    okData(await cmd(op, 'floor:revoke', M));
    expect((await revoked).reason).toBe('yielded');
    expectError(await cmd(op, 'floor:withdraw', M, { requestId: r1.id }), 'FORBIDDEN');
    expect(okData(await cmd<FloorView>(delegate, 'floor:withdraw', M, { requestId: r1.id })).queue).toEqual([]);

    // Presence and roll-call.
    const bp = d.bridgeOf('cau.991');
    expect(okData(await cmd(op, 'presence:set-bridge', M, { status: 'degraded', delegatesPresent: 14 }))).toMatchObject({
      bridgePointId: bp,
      status: 'degraded',
      delegatesPresent: 14,
    });
    expectError(await cmd(delegate, 'presence:set-delegate', M, { status: 'absent' }), 'VALIDATION_FAILED');
    expect(okData(await cmd(delegate, 'presence:set-delegate', M, { status: 'present_online' }))).toMatchObject({ status: 'present_online' });
    expectError(await cmd(op, 'rollcall:confirm', M, { delegatesPresent: 3 }), 'ILLEGAL_TRANSITION');
    const rcStarted = nextEvent<{ rollCall: RollCallView }>(op.socket, 'rollcall:started');
    okData(await cmd(chair, 'rollcall:start', M));
    expect((await rcStarted).rollCall).toMatchObject({ status: 'open', expected: 213, confirmed: 0 });
    const confirmed = nextEvent<{ rollCall: RollCallView; bridgePointId: number }>(chair.socket, 'rollcall:confirmed');
    okData(await cmd(op, 'rollcall:confirm', M, { delegatesPresent: 15 }));
    expect(await confirmed).toMatchObject({ bridgePointId: bp, rollCall: { confirmed: 1 } });
    expect(okData(await cmd<RollCallView>(chair, 'rollcall:close', M))).toMatchObject({ status: 'closed', confirmed: 1 });

    // Ending: the meeting row is ended and the state says so on a fresh join.
    okData(await cmd(chair, 'meeting:end', M));
    expectError(await cmd(op, 'presence:set-bridge', M, { status: 'online' }), 'MEETING_NOT_LIVE');
    // A fresh secretariat join: the console is the screen that shows every bridge's row.
    const late = await member('admin');
    expect(late.snapshot.meeting.status).toBe('ended');
    expect(late.snapshot.agenda).toMatchObject({ status: 'ended', currentItemId: items[1]!.id });
    expect(late.snapshot.presence.bridges.find((b) => b.bridgePointId === bp)).toMatchObject({ delegatesPresent: 15, status: 'degraded' });
    expect(late.snapshot.presence.counts.overall.presentOnline).toBe(1);

    const log = (await t.app.database.run((s) => listFloorLog(s, M))).map((e) => [e.kind, e.requestId, e.reason]);
    expect(log).toEqual([
      ['requested', r1.id, null],
      ['requested', r2.id, null],
      ['reordered', null, null],
      ['granted', r2.id, null],
      ['revoked', r2.id, 'yielded'],
      ['withdrawn', r1.id, 'withdrawn'],
    ]);
  });
});

describe('status changes over HTTP', () => {
  it('closes the floor and tells the room when the meetings API ends a live meeting', async () => {
    const chair = await member('vanphong');
    const delegate = await member('daibieu01');
    const M = d.meetingId;
    okData(await cmd(chair, 'meeting:start', M));
    const r = okData(await cmd<{ id: number }>(delegate, 'floor:request', M));
    okData(await cmd(chair, 'floor:grant', M, { requestId: r.id }));
    const ended = nextEvent<{ status: string }>(delegate.socket, 'meeting:ended');
    const revoked = nextEvent<{ reason: string }>(delegate.socket, 'floor:revoked');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/meetings/${M}/transition`,
      headers: { authorization: `Bearer ${await login(t.app, 'vanphong')}` },
      payload: { to: 'ended' },
    });
    expect(res.statusCode).toBe(200);
    expect((await ended).status).toBe('ended');
    expect((await revoked).reason).toBe('meeting-ended');
    const late = await member('daibieu02');
    expect(late.snapshot.agenda.status).toBe('ended');
    expect(late.snapshot.floor).toMatchObject({ speaker: null, queue: [] });
  });
});
