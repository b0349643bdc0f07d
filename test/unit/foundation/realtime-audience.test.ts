import { describe, expect, it } from 'vitest';
import { audienceOf, meetingAudiences, type Audience } from '../../../server/src/plugins/realtime-audience.ts';
import { rooms } from '../../../server/src/plugins/realtime.ts';

describe('meetingAudiences', () => {
  const adapter = new Map<string, Set<string>>([
    [rooms.meeting(7), new Set(['chair', 'op1', 'op2', 'phone1', 'phone2'])],
    [rooms.managers(7), new Set(['chair'])],
    [rooms.bridge(7, 1), new Set(['op1'])],
    [rooms.bridge(7, 12), new Set(['op2'])],
    // Another meeting's bridge 1 and a meeting whose id starts with 7: neither is meeting 7's.
    [rooms.bridge(70, 1), new Set(['other'])],
    [rooms.bridge(8, 1), new Set(['other2'])],
    ['user:3', new Set(['phone1'])],
  ]);

  it('addresses each socket once, with the payload made for its audience', () => {
    const sent: { ids: string[]; payload: unknown }[] = [];
    const asked: Audience[] = [];
    meetingAudiences(7, rooms, adapter, (ids, _event, payload) => sent.push({ ids, payload })).emit('poll:turnout-changed', (a) => {
      asked.push(a);
      return { pollId: 1, voted: 0, eligible: 0, byLevel: [], byBridgePoint: [], who: a } as never;
    });
    expect(asked).toEqual([{ kind: 'manager' }, { kind: 'bridge', bridgePointId: 1 }, { kind: 'bridge', bridgePointId: 12 }, { kind: 'member' }]);
    expect(sent.map((s) => s.ids)).toEqual([['chair'], ['op1'], ['op2'], ['phone1', 'phone2']]);
    const all = sent.flatMap((s) => s.ids);
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain('other');
    expect(all).not.toContain('other2');
  });

  it('sends nothing to an empty meeting', () => {
    const sent: string[][] = [];
    const any = meetingAudiences(9, rooms, adapter, (ids) => sent.push(ids)).emit('poll:turnout-changed', () => ({}) as never);
    expect(any).toBe(false);
    expect(sent).toEqual([]);
  });

  it('derives the audience from the membership', () => {
    expect(audienceOf({ kind: 'secretariat' })).toEqual({ kind: 'manager' });
    expect(audienceOf({ kind: 'admin' })).toEqual({ kind: 'manager' });
    expect(audienceOf({ kind: 'bridge', bridgePointId: 4 })).toEqual({ kind: 'bridge', bridgePointId: 4 });
    expect(audienceOf({ kind: 'delegate', bridgePointId: 4 })).toEqual({ kind: 'member' });
    expect(audienceOf({ kind: 'observer' })).toEqual({ kind: 'member' });
    expect(audienceOf(null)).toEqual({ kind: 'member' });
  });
});
