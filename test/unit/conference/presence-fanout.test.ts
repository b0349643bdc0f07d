/**
 * Presence fan-out cadence per audience: the secretariat and the bridge screens
 * hear every window, phones four times less often, and each socket once per flush.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPresenceFanout } from '../../../server/src/modules/conference/presence.fanout.ts';
import { initialPresence, setDelegate, syncRoster, type PresenceState } from '../../../server/src/modules/conference/presence.machine.ts';
import { rooms } from '../../../server/src/plugins/realtime.ts';

const M = 7;
const roster = {
  bridges: [{ bridgePointId: 102, name: 'Huyện A', level: 'district' as const }],
  delegates: Array.from({ length: 20 }, (_, i) => ({ userId: 50 + i, fullName: `Đại biểu ${i}`, bridgePointId: i % 2 ? 102 : null, level: 'district' as const })),
};

/** The adapter's room map for: one console, one bridge screen, and 20 phones (socket p<userId>). */
function adapterRooms(): Map<string, Set<string>> {
  const r = new Map<string, Set<string>>();
  const add = (room: string, id: string) => r.set(room, (r.get(room) ?? new Set()).add(id));
  for (const id of ['console', 'screen', ...roster.delegates.map((d) => `p${d.userId}`)]) add(rooms.meeting(M), id);
  add(rooms.managers(M), 'console');
  add(rooms.bridge(M, 102), 'screen');
  for (const d of roster.delegates) add(rooms.user(d.userId), `p${d.userId}`);
  return r;
}

/** A fan-out over adapterRooms() that reads `state()` and hands each write's socket ids to `emitTo`. */
const fanoutOver = (state: () => PresenceState, windowMs: number, emitTo: (ids: string[]) => void) => {
  const socketRooms = adapterRooms();
  return createPresenceFanout({
    io: { of: () => ({ adapter: { rooms: socketRooms } }) } as never,
    read: async () => state(),
    windowMs,
    log: { error: () => {} } as never,
    emitTo,
  });
};

describe('presence fan-out', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('writes to the secretariat and bridge screens every window and to phones every fourth, each socket once per flush', async () => {
    let state: PresenceState = syncRoster(initialPresence(), roster);
    const got = new Map<string, number>();
    const writes: string[][] = [];
    const fanout = fanoutOver(() => state, 100, (ids) => {
      writes.push(ids);
      for (const id of ids) got.set(id, (got.get(id) ?? 0) + 1);
    });
    // A check-in every 50 ms for a second.
    for (const [i, d] of roster.delegates.entries()) {
      const step = setDelegate(state, { userId: d.userId, role: 'delegate', bridgePointId: d.bridgePointId, chair: false }, { userId: d.userId, status: 'present_online' }, i * 50);
      if (!step.ok) throw new Error(step.error.message);
      state = step.state;
      fanout.changed(M, [], [d.userId]);
      await vi.advanceTimersByTimeAsync(50);
      // The phones' first push waits a whole member window (400 ms), so a burst's start does not pay for it.
      if (i === 6) expect(got.get('p51') ?? 0).toBe(0);
    }
    await vi.advanceTimersByTimeAsync(1000);
    fanout.close();
    expect(got.get('console')).toBeGreaterThanOrEqual(9);
    expect(got.get('screen')).toBe(got.get('console'));
    expect(got.get('p51')).toBeGreaterThanOrEqual(2);
    expect(got.get('p51')).toBeLessThanOrEqual(4);
    // Nobody is written twice in one flush.
    for (const ids of writes) expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['console', 'screen']) expect(writes.filter((w) => w.includes(id)).length).toBe(got.get(id));
  });

  it('tells the secretariat of a change as soon as changes pause, yet never more than twice in two windows', async () => {
    let state: PresenceState = syncRoster(initialPresence(), roster);
    const flushes: { at: number; console: boolean; phones: number }[] = [];
    const t0 = Date.now();
    const fanout = fanoutOver(() => state, 300, (ids) => flushes.push({ at: Date.now() - t0, console: ids.includes('console'), phones: ids.filter((id) => id.startsWith('p')).length }));
    const checkIn = (i: number) => {
      const d = roster.delegates[i]!;
      const step = setDelegate(state, { userId: d.userId, role: 'delegate', bridgePointId: d.bridgePointId, chair: false }, { userId: d.userId, status: 'present_online' }, Date.now());
      if (!step.ok) throw new Error(step.error.message);
      state = step.state;
      fanout.changed(M, [], [d.userId]);
    };
    checkIn(0);
    await vi.advanceTimersByTimeAsync(100);
    // The console heard within the quiet period (40 ms), not after the 300 ms window; phones did not yet.
    const consoleAt = () => flushes.filter((f) => f.console).map((f) => f.at);
    expect(consoleAt()).toHaveLength(1);
    expect(consoleAt()[0]).toBeLessThan(100);
    expect(flushes.some((f) => f.phones > 0)).toBe(false);
    // A burst right after: out as soon as it pauses too (the second push in a row), not a window later.
    const burst = async (from: number) => {
      for (let i = from; i < from + 5; i++) {
        checkIn(i);
        await vi.advanceTimersByTimeAsync(10);
      }
    };
    await burst(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(consoleAt()).toHaveLength(2);
    expect(consoleAt()[1]! - consoleAt()[0]!).toBeLessThan(200);
    // A third burst at once: held until two windows have passed since the first push, so at most
    // two pushes in any two windows.
    await burst(6);
    await vi.advanceTimersByTimeAsync(100);
    expect(consoleAt()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1500);
    fanout.close();
    const times = consoleAt();
    expect(times).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(600);
    // The phones heard once, a whole member window (1.2 s) after the first change.
    const phoneFlushes = [...new Set(flushes.filter((f) => f.phones > 0).map((f) => f.at))];
    expect(phoneFlushes).toHaveLength(1);
    expect(phoneFlushes[0]).toBeGreaterThanOrEqual(1200);
    expect(flushes.filter((f) => f.phones > 0).reduce((n, f) => n + f.phones, 0)).toBe(roster.delegates.length);
  });
});
