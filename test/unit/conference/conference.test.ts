import { describe, expect, it } from 'vitest';
import {
  applyCommand,
  initialConference,
  reconcile,
  tick,
  type Actor,
  type ConferenceCommand,
  type ConferenceState,
} from '../../../server/src/modules/conference/conference.machine.ts';
import { syncRoster } from '../../../server/src/modules/conference/presence.machine.ts';
import type { Transition } from '../../../server/src/modules/conference/result.ts';
import { must } from './transition.ts';

const T0 = 1_700_000_000_000;
const items = [
  { id: 11, plannedMinutes: 10 },
  { id: 12, plannedMinutes: 5 },
];
const CHAIR: Actor = { userId: 1, role: 'secretariat', bridgePointId: null, chair: true, displayName: 'Văn phòng' };
const OTHER_SEC: Actor = { ...CHAIR, userId: 9, chair: false };
const OP: Actor = { userId: 2, role: 'bridge_operator', bridgePointId: 102, chair: false, displayName: 'Điểm cầu Huyện A' };
const DEL: Actor = { userId: 50, role: 'delegate', bridgePointId: 102, chair: false, displayName: 'Nguyễn Văn A' };
const OBS: Actor = { userId: 70, role: 'observer', bridgePointId: null, chair: false, displayName: 'Quan sát' };

const errCode = <S, E>(r: Transition<S, E>) => (r.ok ? 'OK' : r.error.code);

const base = (): ConferenceState => {
  const s = initialConference('scheduled');
  return {
    ...s,
    presence: syncRoster(s.presence, {
      bridges: [{ bridgePointId: 102, name: 'Huyện A', level: 'district' }],
      delegates: [{ userId: 50, fullName: 'Nguyễn Văn A', bridgePointId: 102, level: 'district' }],
    }),
  };
};
const run = (s: ConferenceState, actor: Actor, cmd: ConferenceCommand, now = T0) => applyCommand(s, cmd, { now, actor, items });
const live = () => must(run(base(), CHAIR, { type: 'meeting:start' })).state;

describe('conference machine', () => {
  it('applies role rules before anything else', () => {
    for (const type of ['meeting:start', 'meeting:end', 'timer:start', 'timer:pause', 'rollcall:start', 'rollcall:close'] as const) {
      for (const a of [OP, DEL, OBS, OTHER_SEC]) expect(errCode(run(live(), a, { type } as ConferenceCommand))).toBe('FORBIDDEN');
    }
    expect(errCode(run(live(), DEL, { type: 'floor:grant', requestId: 1 }))).toBe('FORBIDDEN');
    expect(errCode(run(live(), OP, { type: 'floor:reorder', requestIds: [] }))).toBe('FORBIDDEN');
    expect(errCode(run(live(), CHAIR, { type: 'floor:request' }))).toBe('FORBIDDEN');
    expect(errCode(run(live(), OBS, { type: 'floor:request' }))).toBe('FORBIDDEN');
  });

  it('bumps the version only on a change', () => {
    const s = live();
    expect(s.version).toBe(1);
    const same = must(run(s, CHAIR, { type: 'agenda:set-current', itemId: 11 }));
    expect(same.state).toBe(s);
    expect(must(run(s, CHAIR, { type: 'timer:start' })).state.version).toBe(2);
  });

  it('opens the floor on the current item once live, not before', () => {
    expect(errCode(run(base(), DEL, { type: 'floor:request' }))).toBe('MEETING_NOT_LIVE');
    const r = must(run(live(), DEL, { type: 'floor:request', topic: 'Về dự toán' }));
    expect(r.state.floor.queue[0]).toMatchObject({ userId: 50, bridgePointId: 102, displayName: 'Nguyễn Văn A', itemId: 11 });
  });

  it('clears the floor when the chair moves to the next item', () => {
    let s = must(run(live(), DEL, { type: 'floor:request' })).state;
    s = must(run(s, OP, { type: 'floor:request' })).state;
    s = must(run(s, CHAIR, { type: 'floor:grant', requestId: 1, limitSeconds: 60 })).state;
    const r = must(run(s, CHAIR, { type: 'agenda:set-current', itemId: 12 }));
    expect(r.state.floor).toMatchObject({ itemId: 12, queue: [], speaker: null });
    expect(r.events.map((e) => e.type)).toEqual(['agenda:changed', 'floor:withdrawn', 'floor:revoked']);
  });

  it('ends the meeting: floor closed, presence frozen, nothing restarts', () => {
    let s = must(run(live(), DEL, { type: 'floor:request' })).state;
    const r = must(run(s, CHAIR, { type: 'meeting:end' }, T0 + 5));
    s = r.state;
    expect(s.agenda.status).toBe('ended');
    expect(s.floor).toMatchObject({ itemId: null, queue: [] });
    expect(r.events.map((e) => e.type)).toEqual(['meeting:ended', 'agenda:changed', 'floor:withdrawn']);
    expect(errCode(run(s, OP, { type: 'presence:set-bridge', status: 'online' }))).toBe('MEETING_NOT_LIVE');
    expect(errCode(run(s, DEL, { type: 'floor:request' }))).toBe('MEETING_NOT_LIVE');
    expect(errCode(run(s, CHAIR, { type: 'meeting:start' }))).toBe('ILLEGAL_TRANSITION');
    expect(errCode(run(s, CHAIR, { type: 'rollcall:start' }))).toBe('MEETING_NOT_LIVE');
  });

  it('takes presence and roll-call before the meeting starts', () => {
    let s = must(run(base(), OP, { type: 'presence:set-bridge', status: 'online', delegatesPresent: 3 })).state;
    s = must(run(s, CHAIR, { type: 'rollcall:start' })).state;
    s = must(run(s, OP, { type: 'rollcall:confirm', delegatesPresent: 4 })).state;
    expect(s.presence.bridges[0]).toMatchObject({ status: 'online', delegatesPresent: 4 });
  });

  it('expires a speech before applying a later command', () => {
    let s = must(run(live(), DEL, { type: 'floor:request' })).state;
    s = must(run(s, OP, { type: 'floor:request' })).state;
    s = must(run(s, CHAIR, { type: 'floor:grant', requestId: 1, limitSeconds: 30 }, T0)).state;
    // After the limit the chair can grant the next speaker without revoking first.
    const r = must(run(s, CHAIR, { type: 'floor:grant', requestId: 2 }, T0 + 31_000));
    expect(r.events.map((e) => [e.type, 'reason' in e ? e.reason : '-'])).toEqual([
      ['floor:revoked', 'expired'],
      ['floor:granted', '-'],
    ]);
    expect(r.state.floor.speaker).toMatchObject({ id: 2, limitMs: 300_000 });
    expect(r.state.version).toBe(s.version + 1);
  });

  it('ticks on its own', () => {
    let s = must(run(live(), DEL, { type: 'floor:request' })).state;
    s = must(run(s, CHAIR, { type: 'floor:grant', requestId: 1, limitSeconds: 30 })).state;
    expect(tick(s, T0 + 29_999).state).toBe(s);
    const t = tick(s, T0 + 30_000);
    expect(t.state.floor.speaker).toBeNull();
    expect(t.state.version).toBe(s.version + 1);
  });

  it('never mutates its input', () => {
    const s = live();
    const before = JSON.stringify(s);
    run(s, CHAIR, { type: 'timer:start' });
    run(s, DEL, { type: 'floor:request' });
    run(s, OP, { type: 'presence:set-bridge', status: 'degraded' });
    run(s, CHAIR, { type: 'meeting:end' });
    expect(JSON.stringify(s)).toBe(before);
  });

  it('catches up with a meeting ended over HTTP: timer banked, floor closed', () => {
    let s = must(run(live(), CHAIR, { type: 'timer:start' }, T0)).state;
    s = must(run(s, DEL, { type: 'floor:request' }, T0)).state;
    s = must(run(s, CHAIR, { type: 'floor:grant', requestId: 1 }, T0)).state;
    const r = reconcile(s, 'ended', items, T0 + 60_000);
    expect(r.state.agenda).toMatchObject({ status: 'ended', endedAt: T0 + 60_000 });
    expect(r.state.agenda.timers[0]).toMatchObject({ status: 'paused', accumulatedMs: 60_000 });
    expect(r.state.floor).toMatchObject({ speaker: null, queue: [], itemId: null });
    expect(r.state.version).toBe(s.version + 1);
    expect(r.events.map((e) => e.type)).toEqual(['meeting:ended', 'agenda:changed', 'timer:changed', 'floor:revoked']);
  });

  it('catches up with a meeting made live over HTTP, and follows other status moves quietly', () => {
    const r = reconcile(base(), 'live', items, T0);
    expect(r.state.agenda).toMatchObject({ status: 'live', startedAt: T0, currentItemId: 11 });
    expect(r.state.floor.itemId).toBe(11);
    expect(r.events.map((e) => e.type)).toEqual(['meeting:started', 'agenda:changed']);
    const same = base();
    expect(reconcile(same, 'scheduled', items, T0).state).toBe(same);
    const draft = reconcile(same, 'draft', items, T0);
    expect(draft.events).toEqual([]);
    expect(draft.state.agenda.status).toBe('draft');
    expect(draft.state.version).toBe(same.version);
  });
});
