import { describe, expect, it } from 'vitest';
import {
  closeFloor,
  expire,
  floorView,
  grant,
  initialFloor,
  nextExpiry,
  reorder,
  request,
  revoke,
  setItem,
  withdraw,
  type FloorState,
} from '../../../server/src/modules/conference/floor.machine.ts';
import { code, must } from './transition.ts';

const T0 = 1_700_000_000_000;
const CHAIR = { userId: 1, chair: true };


const who = (userId: number, bridgePointId: number | null = null) => ({ userId, bridgePointId, displayName: `U${userId}` });

/** Floor on item 7 with users 10, 20, 30 queued in that order (request ids 1, 2, 3). */
function queued(): FloorState {
  let s = must(setItem(initialFloor(), 7, T0)).state;
  for (const [i, u] of [10, 20, 30].entries()) s = must(request(s, { ...who(u, u === 20 ? 5 : null), topic: ` t${u} ` }, T0 + i)).state;
  return s;
}

describe('requests', () => {
  it('queues in arrival order with trimmed topics and timestamps', () => {
    const s = queued();
    expect(s.queue.map((r) => [r.id, r.userId, r.topic, r.requestedAt, r.itemId])).toEqual([
      [1, 10, 't10', T0, 7],
      [2, 20, 't20', T0 + 1, 7],
      [3, 30, 't30', T0 + 2, 7],
    ]);
    expect(s.queue[1]!.bridgePointId).toBe(5);
  });

  it('emits one requested event per request', () => {
    const s = must(setItem(initialFloor(), 7, T0)).state;
    const r = must(request(s, who(10), T0 + 5));
    expect(r.events).toEqual([{ type: 'floor:requested', request: r.state.queue[0], at: T0 + 5 }]);
  });

  it('takes requests only on the current item', () => {
    expect(code(request(initialFloor(), who(10), T0))).toBe('ILLEGAL_TRANSITION');
    expect(code(request(queued(), { ...who(40), itemId: 8 }, T0))).toBe('CONFLICT');
    expect(must(request(queued(), { ...who(40), itemId: 7 }, T0)).state.queue).toHaveLength(4);
  });

  it('refuses a second request from the same person, or from the speaker', () => {
    expect(code(request(queued(), who(20), T0))).toBe('CONFLICT');
    const s = must(grant(queued(), 1, 60, 1, T0)).state;
    expect(code(request(s, who(10), T0))).toBe('CONFLICT');
  });

  it('rejects an over-long topic', () => {
    expect(code(request(queued(), { ...who(40), topic: 'x'.repeat(201) }, T0))).toBe('VALIDATION_FAILED');
  });
});

describe('withdraw', () => {
  it('lets the requester withdraw their own request', () => {
    const r = must(withdraw(queued(), 2, { userId: 20, chair: false }, T0 + 9));
    expect(r.state.queue.map((q) => q.id)).toEqual([1, 3]);
    expect(r.events[0]).toMatchObject({ type: 'floor:withdrawn', reason: 'withdrawn', by: 20, at: T0 + 9 });
  });

  it('lets the chair remove anyone, nobody else', () => {
    expect(must(withdraw(queued(), 2, CHAIR, T0)).state.queue).toHaveLength(2);
    expect(code(withdraw(queued(), 2, { userId: 10, chair: false }, T0))).toBe('FORBIDDEN');
    expect(code(withdraw(queued(), 99, CHAIR, T0))).toBe('NOT_FOUND');
  });
});

describe('reorder', () => {
  it('applies the chair order', () => {
    const r = must(reorder(queued(), [3, 1, 2], 1, T0 + 3));
    expect(r.state.queue.map((q) => q.userId)).toEqual([30, 10, 20]);
    expect(r.events).toEqual([{ type: 'floor:reordered', order: [3, 1, 2], by: 1, at: T0 + 3 }]);
    // New requests still go to the back.
    expect(must(request(r.state, who(40), T0 + 4)).state.queue.map((q) => q.userId)).toEqual([30, 10, 20, 40]);
  });

  it('is a no-op for the same order', () => {
    const s = queued();
    expect(must(reorder(s, [1, 2, 3], 1, T0)).events).toEqual([]);
  });

  it('rejects anything but a permutation of the queue', () => {
    expect(code(reorder(queued(), [1, 2], 1, T0))).toBe('CONFLICT');
    expect(code(reorder(queued(), [1, 2, 3, 4], 1, T0))).toBe('CONFLICT');
    expect(code(reorder(queued(), [1, 2, 9], 1, T0))).toBe('CONFLICT');
    expect(code(reorder(queued(), [1, 1, 2], 1, T0))).toBe('VALIDATION_FAILED');
  });
});

describe('grant, revoke, expiry', () => {
  it('grants the floor to one speaker with a countdown', () => {
    const r = must(grant(queued(), 2, 120, 1, T0 + 10));
    expect(r.state.queue.map((q) => q.id)).toEqual([1, 3]);
    expect(r.state.speaker).toMatchObject({ id: 2, userId: 20, grantedAt: T0 + 10, limitMs: 120_000, grantedBy: 1 });
    expect(nextExpiry(r.state)).toBe(T0 + 10 + 120_000);
    expect(floorView(r.state, T0 + 70_010).speaker).toMatchObject({ endsAt: T0 + 120_010, remainingMs: 50_000 });
    expect(floorView(r.state, T0 + 999_999).speaker!.remainingMs).toBe(0);
    expect(r.events[0]).toMatchObject({ type: 'floor:granted', by: 1, at: T0 + 10 });
  });

  it('keeps to one speaker at a time', () => {
    const s = must(grant(queued(), 1, 60, 1, T0)).state;
    expect(code(grant(s, 2, 60, 1, T0))).toBe('ILLEGAL_TRANSITION');
  });

  it('validates the grant', () => {
    expect(code(grant(queued(), 9, 60, 1, T0))).toBe('NOT_FOUND');
    expect(code(grant(queued(), 1, 14, 1, T0))).toBe('VALIDATION_FAILED');
    expect(code(grant(queued(), 1, 3601, 1, T0))).toBe('VALIDATION_FAILED');
  });

  it('lets the chair revoke and the speaker yield, nobody else', () => {
    const s = must(grant(queued(), 1, 60, 1, T0)).state;
    expect(must(revoke(s, CHAIR, T0 + 5)).events[0]).toMatchObject({ type: 'floor:revoked', reason: 'chair', by: 1, at: T0 + 5 });
    expect(must(revoke(s, { userId: 10, chair: false }, T0 + 5)).events[0]).toMatchObject({ reason: 'yielded' });
    expect(code(revoke(s, { userId: 20, chair: false }, T0))).toBe('FORBIDDEN');
    expect(code(revoke(queued(), CHAIR, T0))).toBe('ILLEGAL_TRANSITION');
  });

  it('expires a speech at its limit, logged at the due time', () => {
    const s = must(grant(queued(), 1, 60, 1, T0)).state;
    expect(must(expire(s, T0 + 59_999)).state).toBe(s);
    const r = must(expire(s, T0 + 75_000));
    expect(r.state.speaker).toBeNull();
    expect(nextExpiry(r.state)).toBeNull();
    expect(r.events).toEqual([{ type: 'floor:revoked', speaker: s.speaker, reason: 'expired', by: null, at: T0 + 60_000 }]);
  });
});

describe('item change and meeting end', () => {
  it('drops the queue and the speaker when the item changes', () => {
    const s = must(grant(queued(), 1, 60, 1, T0)).state;
    const r = must(setItem(s, 8, T0 + 1));
    expect(r.state).toMatchObject({ itemId: 8, queue: [], speaker: null });
    expect(r.events.map((e) => [e.type, 'reason' in e ? e.reason : null])).toEqual([
      ['floor:withdrawn', 'item-changed'],
      ['floor:withdrawn', 'item-changed'],
      ['floor:revoked', 'item-changed'],
    ]);
    // Request ids keep counting, so the minutes never reuse one.
    expect(must(request(r.state, who(10), T0 + 2)).state.queue[0]!.id).toBe(4);
  });

  it('keeps everything when the item stays the same', () => {
    const s = queued();
    expect(must(setItem(s, 7, T0)).state).toBe(s);
  });

  it('closes the floor when the meeting ends', () => {
    const r = must(closeFloor(queued(), T0));
    expect(r.state).toMatchObject({ itemId: null, queue: [], speaker: null });
    expect(r.events.every((e) => 'reason' in e && e.reason === 'meeting-ended')).toBe(true);
  });
});
