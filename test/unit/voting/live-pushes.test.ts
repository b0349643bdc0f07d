import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Turnout } from '../../../shared/src/index.ts';
import { LivePolls } from '../../../server/src/modules/voting/voting.live.ts';
import { buildSpec } from '../../../server/src/modules/voting/voting.rules.ts';
import { draftClock } from '../../../server/src/modules/voting/voting.machine.ts';
import type { PollRow } from '../../../server/src/modules/voting/voting.schema.ts';
import { shapeFor, type Audience, type Shape } from '../../../server/src/plugins/realtime-audience.ts';

const audiences: Audience[] = [{ kind: 'manager' }, { kind: 'bridge', bridgePointId: 1 }, { kind: 'member' }];

/** Records what each audience received, as the realtime plugin would deliver it. */
function recorder() {
  const got = { manager: [] as Turnout[], bridge: [] as Turnout[], member: [] as Turnout[], tallies: 0 };
  const emit = {
    toMeeting: () => ({ emit: () => true }),
    toManagers: () => ({ emit: () => (got.tallies++, true) }),
    toMeetingByAudience: () => {
      const emit = (_e: string, payloadFor: (a: Audience) => Turnout | null) => {
        for (const a of audiences) {
          const p = payloadFor(a);
          if (p) got[a.kind].push(p);
        }
        return true;
      };
      // Shaped as each node shapes it for its own sockets (realtime-audience.ts).
      return { emit, emitShaped: (e: string, full: Turnout, shape: Shape) => emit(e, (a) => shapeFor(full, shape, a) as Turnout | null) };
    },
  };
  return { got, emit: emit as never };
}

const row = {
  id: 5,
  meetingId: 1,
  spec: buildSpec({ agendaItemId: null, title: 'T', kind: 'approval', mode: 'open', majority: 'simple' } as never),
  eligible: Array.from({ length: 40 }, (_, i) => ({ userId: i + 1, bridgePointId: (i % 4) + 1, bridgeName: `Cầu ${(i % 4) + 1}`, level: 'commune' })),
  // The clock fields of a row; an open poll without a countdown.
  ...draftClock(null),
  status: 'open',
} as unknown as PollRow;

describe('turnout pushes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('go to the secretariat every interval and to phones four times less often, each audience ending on the final count', () => {
    const { got, emit } = recorder();
    const polls = new LivePolls(emit, 250, () => {}, () => Date.now());
    const live = polls.add(row, new Set(), []);
    // 40 ballots over two seconds, one every 50 ms.
    for (let i = 1; i <= 40; i++) {
      polls.recordBallot(live, i, ['yes'], null);
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(2000);
    expect(got.manager.length).toBeGreaterThanOrEqual(7);
    expect(got.manager.length).toBeLessThanOrEqual(10);
    expect(got.member.length).toBeGreaterThanOrEqual(2);
    expect(got.member.length).toBeLessThanOrEqual(3);
    expect(got.bridge.length).toBe(got.manager.length);
    expect(got.tallies).toBe(got.manager.length);
    for (const k of ['manager', 'bridge', 'member'] as const) expect(got[k].at(-1)!.voted).toBe(40);
    // Shaped: the secretariat sees every bridge point, bridge 1 its own, a phone none.
    expect(got.manager.at(-1)!.byBridgePoint).toHaveLength(4);
    expect(got.bridge.at(-1)!.byBridgePoint.map((b) => b.bridgePointId)).toEqual([1]);
    expect(got.member.at(-1)!.byBridgePoint).toEqual([]);
    polls.clear();
  });

  it('stop when the poll leaves the mirror', () => {
    const { got, emit } = recorder();
    const polls = new LivePolls(emit, 250, () => {}, () => Date.now());
    const live = polls.add(row, new Set(), []);
    polls.recordBallot(live, 1, ['yes'], null);
    vi.advanceTimersByTime(1);
    polls.recordBallot(live, 2, ['no'], null);
    polls.remove(row.id);
    vi.advanceTimersByTime(5000);
    expect(got.manager.map((t) => t.voted)).toEqual([1]);
    // Phones had not been pushed yet: theirs waits a second after the first ballot.
    expect(got.member).toEqual([]);
  });

  it('reach phones a second after the ballot that starts a burst, not in its middle', () => {
    const { got, emit } = recorder();
    const polls = new LivePolls(emit, 250, () => {}, () => Date.now());
    const live = polls.add(row, new Set(), []);
    // A burst of 30 ballots within 300 ms.
    for (let i = 1; i <= 30; i++) {
      polls.recordBallot(live, i, ['yes'], null);
      vi.advanceTimersByTime(10);
    }
    expect(got.manager.map((t) => t.voted)[0]).toBe(1);
    expect(got.member).toEqual([]);
    vi.advanceTimersByTime(1000 - 300 - 1);
    expect(got.member).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got.member.map((t) => t.voted)).toEqual([30]);
    polls.clear();
  });
});
