import { describe, expect, it } from 'vitest';
import { List } from 'immutable';
import {
  counts,
  delegateOf,
  initialPresence,
  setBridge,
  setDelegate,
  syncRoster,
  type PresenceActor,
  type PresenceState,
} from '../../../server/src/modules/conference/presence.machine.ts';
import { closeRollCall, confirmRollCall, rollCallView, startRollCall } from '../../../server/src/modules/conference/rollcall.machine.ts';
import { code, must } from './transition.ts';

const T0 = 1_700_000_000_000;
const SEC: PresenceActor = { userId: 1, role: 'secretariat', bridgePointId: null, chair: true };
const OP_DISTRICT: PresenceActor = { userId: 2, role: 'bridge_operator', bridgePointId: 102, chair: false };
const OP_COMMUNE: PresenceActor = { userId: 3, role: 'bridge_operator', bridgePointId: 103, chair: false };
const DELEGATE: PresenceActor = { userId: 50, role: 'delegate', bridgePointId: 102, chair: false };


const roster = {
  bridges: [
    { bridgePointId: 101, name: 'Tỉnh ủy', level: 'provincial' as const },
    { bridgePointId: 102, name: 'Huyện A', level: 'district' as const },
    { bridgePointId: 103, name: 'Xã B', level: 'commune' as const },
  ],
  delegates: [
    { userId: 50, fullName: 'Nguyễn Văn A', bridgePointId: 102, level: 'district' as const },
    { userId: 51, fullName: 'Trần Thị B', bridgePointId: null, level: 'provincial' as const },
    { userId: 52, fullName: 'Lê Văn C', bridgePointId: 103, level: 'commune' as const },
  ],
};
const fresh = (): PresenceState => syncRoster(initialPresence(), roster);

describe('roster', () => {
  it('starts everyone offline / unknown', () => {
    const s = fresh();
    expect(s.bridges.every((b) => b.status === 'offline' && b.delegatesPresent === 0)).toBe(true);
    expect(s.delegates.every((d) => d.status === 'unknown' && d.reason === null)).toBe(true);
  });

  it('keeps recorded presence when re-synced, adds and drops invitations', () => {
    const s = must(setBridge(fresh(), OP_DISTRICT, { status: 'online', delegatesPresent: 7 }, T0)).state;
    expect(syncRoster(s, roster)).toBe(s);
    const next = syncRoster(s, {
      bridges: [...roster.bridges.slice(1), { bridgePointId: 104, name: 'Xã D', level: 'commune' }],
      delegates: roster.delegates,
    });
    expect(next.bridges.map((b) => [b.bridgePointId, b.status, b.delegatesPresent])).toEqual([
      [102, 'online', 7],
      [103, 'offline', 0],
      [104, 'offline', 0],
    ]);
  });
});

describe('bridge presence', () => {
  it('lets an operator set their own bridge, with a timestamp', () => {
    const r = must(setBridge(fresh(), OP_DISTRICT, { status: 'degraded', delegatesPresent: 12 }, T0));
    expect(r.state.bridges[1]).toMatchObject({ status: 'degraded', delegatesPresent: 12, updatedAt: T0, updatedBy: 2 });
    expect(r.events).toEqual([{ type: 'presence:bridge', bridgePointId: 102 }]);
  });

  it('lets the chair set any bridge; refuses other operators and delegates', () => {
    expect(must(setBridge(fresh(), SEC, { bridgePointId: 103, status: 'online' }, T0)).events).toHaveLength(1);
    expect(code(setBridge(fresh(), OP_COMMUNE, { bridgePointId: 102, status: 'online' }, T0))).toBe('FORBIDDEN');
    expect(code(setBridge(fresh(), DELEGATE, { bridgePointId: 102, status: 'online' }, T0))).toBe('FORBIDDEN');
  });

  it('lets the server act for a bridge when its operator connects or drops', () => {
    const system: PresenceActor = { userId: 2, role: 'system', bridgePointId: 102, chair: false };
    expect(must(setBridge(fresh(), system, { status: 'online' }, T0)).state.bridges[1]!.status).toBe('online');
  });

  it('validates input', () => {
    expect(code(setBridge(fresh(), OP_DISTRICT, {}, T0))).toBe('VALIDATION_FAILED');
    expect(code(setBridge(fresh(), OP_DISTRICT, { delegatesPresent: -1 }, T0))).toBe('VALIDATION_FAILED');
    expect(code(setBridge(fresh(), OP_DISTRICT, { delegatesPresent: 5001 }, T0))).toBe('VALIDATION_FAILED');
    expect(code(setBridge(fresh(), SEC, { status: 'online' }, T0))).toBe('VALIDATION_FAILED');
    expect(code(setBridge(fresh(), SEC, { bridgePointId: 999, status: 'online' }, T0))).toBe('NOT_FOUND');
  });

  it('emits nothing when nothing changes', () => {
    const s = fresh();
    const r = must(setBridge(s, OP_DISTRICT, { status: 'offline' }, T0));
    expect(r.state).toBe(s);
    expect(r.events).toEqual([]);
  });
});

describe('never joined vs dropped', () => {
  it('records when a bridge first comes online and keeps it through a drop', () => {
    const s0 = fresh();
    expect(s0.bridges.every((b) => b.joinedAt === null)).toBe(true);
    // A head count alone (the chair typing it in) is not a connection.
    const counted = must(setBridge(s0, SEC, { bridgePointId: 103, delegatesPresent: 4 }, T0)).state;
    expect(counted.bridges.find((b) => b.bridgePointId === 103)!.joinedAt).toBeNull();
    const on = must(setBridge(counted, OP_DISTRICT, { status: 'online' }, T0 + 10)).state;
    expect(on.bridges.find((b) => b.bridgePointId === 102)!.joinedAt).toBe(T0 + 10);
    const off = must(setBridge(on, OP_DISTRICT, { status: 'offline' }, T0 + 20)).state;
    const back = must(setBridge(off, OP_DISTRICT, { status: 'degraded' }, T0 + 30)).state;
    expect(off.bridges.find((b) => b.bridgePointId === 102)).toMatchObject({ status: 'offline', joinedAt: T0 + 10 });
    expect(back.bridges.find((b) => b.bridgePointId === 102)!.joinedAt).toBe(T0 + 10);
  });

  it('carries the unit code from the roster, and a changed code is a roster change', () => {
    const coded = { ...roster, bridges: roster.bridges.map((b) => ({ ...b, code: `C${b.bridgePointId}` })) };
    const s = syncRoster(initialPresence(), coded);
    expect(s.bridges.map((b) => b.code)).toEqual(['C101', 'C102', 'C103']);
    expect(syncRoster(s, coded)).toBe(s);
    const renamed = syncRoster(s, { ...coded, bridges: coded.bridges.map((b) => (b.bridgePointId === 103 ? { ...b, code: 'X' } : b)) });
    expect(renamed.bridges.find((b) => b.bridgePointId === 103)!.code).toBe('X');
  });
});

describe('delegate presence', () => {
  it('finds and replaces delegates by id through states, leaving earlier states as they were', () => {
    const many = syncRoster(initialPresence(), {
      bridges: roster.bridges,
      delegates: Array.from({ length: 500 }, (_, i) => ({ userId: 1000 + i, fullName: `Đại biểu ${i}`, bridgePointId: 103, level: 'commune' as const })),
    });
    let s = many;
    const chair = { ...SEC };
    // Check in every other delegate, each from the previous state (the index is carried along).
    for (let i = 0; i < 500; i += 2) s = must(setDelegate(s, chair, { userId: 1000 + i, status: 'present_online' }, T0 + i)).state;
    expect(s.delegates.toArray().map((d) => d.userId)).toEqual(many.delegates.toArray().map((d) => d.userId));
    expect(s.delegates.toArray().filter((d) => d.status === 'present_online')).toHaveLength(250);
    // A persistent vector: each check-in path-copies one entry's branch instead of the whole list,
    // so it costs O(log32 n), not O(delegates); the earlier states keep their own entries.
    expect(List.isList(s.delegates)).toBe(true);
    expect(delegateOf(s, 1498)).toMatchObject({ status: 'present_online', updatedAt: T0 + 498 });
    expect(delegateOf(s, 1499)).toMatchObject({ status: 'unknown' });
    expect(delegateOf(s, 77)).toBeUndefined();
    // The first state is untouched.
    expect(many.delegates.every((d) => d.status === 'unknown')).toBe(true);
    expect(delegateOf(many, 1498)).toMatchObject({ status: 'unknown' });
  });

  it('lets a delegate check in themselves', () => {
    const r = must(setDelegate(fresh(), DELEGATE, { status: 'present_online' }, T0));
    expect(r.state.delegates.get(0)).toMatchObject({ status: 'present_online', reason: null, updatedAt: T0, updatedBy: 50 });
  });

  it("lets the delegate's bridge operator and the chair mark them; nobody else", () => {
    expect(must(setDelegate(fresh(), OP_DISTRICT, { userId: 50, status: 'present_in_person' }, T0)).events).toHaveLength(1);
    expect(must(setDelegate(fresh(), SEC, { userId: 51, status: 'present_online' }, T0)).events).toHaveLength(1);
    expect(code(setDelegate(fresh(), OP_COMMUNE, { userId: 50, status: 'present_in_person' }, T0))).toBe('FORBIDDEN');
    expect(code(setDelegate(fresh(), OP_DISTRICT, { userId: 51, status: 'present_in_person' }, T0))).toBe('FORBIDDEN');
    expect(code(setDelegate(fresh(), DELEGATE, { userId: 52, status: 'present_online' }, T0))).toBe('FORBIDDEN');
    expect(code(setDelegate(fresh(), SEC, { userId: 77, status: 'present_online' }, T0))).toBe('NOT_FOUND');
  });

  it('requires a reason for an absence and drops it on presence', () => {
    expect(code(setDelegate(fresh(), DELEGATE, { status: 'absent' }, T0))).toBe('VALIDATION_FAILED');
    expect(code(setDelegate(fresh(), DELEGATE, { status: 'absent', reason: '   ' }, T0))).toBe('VALIDATION_FAILED');
    let s = must(setDelegate(fresh(), DELEGATE, { status: 'absent', reason: ' Ốm ' }, T0)).state;
    expect(s.delegates.get(0)).toMatchObject({ status: 'absent', reason: 'Ốm' });
    s = must(setDelegate(s, DELEGATE, { status: 'present_online', reason: 'ignored' }, T0 + 1)).state;
    expect(s.delegates.get(0)).toMatchObject({ status: 'present_online', reason: null });
  });
});

describe('counts', () => {
  it('counts per level and overall', () => {
    let s = fresh();
    s = must(setBridge(s, OP_DISTRICT, { status: 'online', delegatesPresent: 12 }, T0)).state;
    s = must(setBridge(s, OP_COMMUNE, { status: 'degraded', delegatesPresent: 4 }, T0)).state;
    s = must(setDelegate(s, DELEGATE, { status: 'present_in_person' }, T0)).state;
    s = must(setDelegate(s, SEC, { userId: 51, status: 'absent', reason: 'Đi công tác' }, T0)).state;
    const c = counts(s);
    expect(c.overall).toEqual({
      bridges: 3,
      online: 1,
      degraded: 1,
      offline: 1,
      delegatesPresent: 16,
      delegates: 3,
      presentOnline: 0,
      presentInPerson: 1,
      absent: 1,
      unknown: 1,
    });
    expect(c.provincial).toMatchObject({ bridges: 1, offline: 1, delegates: 1, absent: 1 });
    expect(c.district).toMatchObject({ bridges: 1, online: 1, delegatesPresent: 12, presentInPerson: 1 });
    expect(c.commune).toMatchObject({ bridges: 1, degraded: 1, delegatesPresent: 4, unknown: 1 });
  });
});

describe('roll-call', () => {
  it('runs start → confirm → close', () => {
    let s = must(startRollCall(fresh(), SEC, T0)).state;
    expect(rollCallView(s)).toMatchObject({ id: 1, status: 'open', startedAt: T0, startedBy: 1, confirmed: 0, expected: 3 });
    const r = must(confirmRollCall(s, OP_DISTRICT, { delegatesPresent: 9 }, T0 + 1));
    expect(r.events.map((e) => e.type)).toEqual(['rollcall:confirmed', 'presence:bridge']);
    s = r.state;
    expect(s.bridges[1]!.delegatesPresent).toBe(9);
    // A second confirmation corrects the first instead of adding to it.
    s = must(confirmRollCall(s, OP_DISTRICT, { delegatesPresent: 10 }, T0 + 2)).state;
    s = must(confirmRollCall(s, SEC, { bridgePointId: 101, delegatesPresent: 30 }, T0 + 3)).state;
    expect(rollCallView(s)).toMatchObject({ confirmed: 2 });
    expect(rollCallView(s)!.confirmations).toEqual([
      { bridgePointId: 102, delegatesPresent: 10, at: T0 + 2, by: 2 },
      { bridgePointId: 101, delegatesPresent: 30, at: T0 + 3, by: 1 },
    ]);
    s = must(closeRollCall(s, SEC, T0 + 4)).state;
    expect(rollCallView(s)).toMatchObject({ status: 'closed', closedAt: T0 + 4 });
    // The next roll-call is a new record; the old one stays for the minutes.
    s = must(startRollCall(s, SEC, T0 + 5)).state;
    expect(s.rollCalls.map((rc) => [rc.id, rc.status])).toEqual([
      [1, 'closed'],
      [2, 'open'],
    ]);
  });

  it('rejects illegal roll-call moves', () => {
    const open = must(startRollCall(fresh(), SEC, T0)).state;
    expect(code(startRollCall(open, SEC, T0))).toBe('ILLEGAL_TRANSITION');
    expect(code(startRollCall(fresh(), OP_DISTRICT, T0))).toBe('FORBIDDEN');
    expect(code(closeRollCall(fresh(), SEC, T0))).toBe('ILLEGAL_TRANSITION');
    expect(code(closeRollCall(open, OP_DISTRICT, T0))).toBe('FORBIDDEN');
    expect(code(confirmRollCall(fresh(), OP_DISTRICT, { delegatesPresent: 1 }, T0))).toBe('ILLEGAL_TRANSITION');
    expect(code(confirmRollCall(open, OP_COMMUNE, { bridgePointId: 102, delegatesPresent: 1 }, T0))).toBe('FORBIDDEN');
    expect(code(confirmRollCall(open, DELEGATE, { delegatesPresent: 1 }, T0))).toBe('FORBIDDEN');
    expect(code(confirmRollCall(open, OP_DISTRICT, { delegatesPresent: -3 }, T0))).toBe('VALIDATION_FAILED');
  });
});
