/**
 * Presence shaped by audience. A check-in used to reach every socket of the
 * meeting with the delegate's row (2,000 check-ins x 2,000 phones); now:
 * - the secretariat (managers room) gets the changed bridge and delegate rows,
 * - a bridge screen gets its own bridge's row and its seated delegates' rows,
 * - a delegate's phone gets its own row,
 * - everyone gets the counts per level,
 * and all of it coalesced per meeting over a short window, so a wave of
 * check-ins costs each socket a few messages a second, not one per delegate.
 * Each socket receives exactly one `presence:changed` per flush.
 * Join snapshots follow the same rule, so a phone's does not grow with the meeting.
 */
import type { PresenceCounts, PresenceView } from '@diemcau/shared';
import type { FastifyBaseLogger } from 'fastify';
import { rooms, type AppServer } from '../../plugins/realtime.ts';
import type { Membership } from '../meetings/meetings.access.ts';
import { bridgeView, delegateView } from './conference.views.ts';
import { counts, rollCallView, type PresenceState } from './presence.machine.ts';

/** Counts of one presence state, computed once however many joins and flushes ask: states are never mutated. */
const countsMemo = new WeakMap<PresenceState, PresenceCounts>();
function countsOf(p: PresenceState): PresenceCounts {
  let c = countsMemo.get(p);
  if (!c) countsMemo.set(p, (c = counts(p)));
  return c;
}

/**
 * A state's delegate rows by user id, built once per state: after a restart 2,000 phones join within
 * seconds, and finding each one's own row by a scan cost O(delegates) per join.
 */
const delegateIndex = new WeakMap<PresenceState['delegates'], Map<number, PresenceState['delegates'][number]>>();
function delegateOf(p: PresenceState, userId: number) {
  let byUser = delegateIndex.get(p.delegates);
  if (!byUser) delegateIndex.set(p.delegates, (byUser = new Map(p.delegates.map((d) => [d.userId, d]))));
  return byUser.get(userId);
}

/** The presence a member's screen shows: bounded by their role, not by the meeting's size. */
export function presenceFor(p: PresenceState, m: Membership, userId: number): PresenceView {
  const base = { counts: countsOf(p), rollCall: rollCallView(p) };
  switch (m.kind) {
    case 'admin':
    case 'secretariat':
      return { ...base, bridges: p.bridges.map(bridgeView), delegates: p.delegates.map(delegateView) };
    case 'bridge':
      return {
        ...base,
        bridges: p.bridges.filter((b) => b.bridgePointId === m.bridgePointId).map(bridgeView),
        delegates: p.delegates.filter((d) => d.bridgePointId === m.bridgePointId).map(delegateView),
      };
    case 'delegate':
      // The delegate's own row (their check-in) and the bridge they sit at, if any.
      return {
        ...base,
        bridges: p.bridges.filter((b) => m.bridgePointId !== null && b.bridgePointId === m.bridgePointId).map(bridgeView),
        delegates: [delegateOf(p, userId)].filter((d) => d !== undefined).map(delegateView),
      };
    default:
      return { ...base, bridges: [], delegates: [] };
  }
}

export interface PresenceFanoutDeps {
  io: AppServer;
  /** The meeting's presence as it stands when the window closes. */
  read: (meetingId: number) => PresenceState;
  /** Coalescing window per meeting. */
  windowMs: number;
  log: FastifyBaseLogger;
}

export type PresenceFanout = ReturnType<typeof createPresenceFanout>;

export function createPresenceFanout({ io, read, windowMs, log }: PresenceFanoutDeps) {
  const pending = new Map<number, { bridges: Set<number>; delegates: Set<number>; timer: NodeJS.Timeout }>();
  let closed = false;

  function flush(meetingId: number) {
    const p = pending.get(meetingId);
    pending.delete(meetingId);
    if (!p || closed) return;
    let s: PresenceState;
    try {
      s = read(meetingId);
    } catch (err) {
      // The change is durable already; members see it at their next snapshot.
      log.error({ err, meetingId }, 'presence fan-out failed');
      return;
    }
    const c = countsOf(s);
    const bridges = s.bridges.filter((b) => p.bridges.has(b.bridgePointId));
    const delegates = s.delegates.filter((d) => p.delegates.has(d.userId));
    const managers = rooms.managers(meetingId);
    const emit = (to: ReturnType<AppServer['to']>, payload: { bridges: typeof bridges; delegates: typeof delegates }) =>
      to.emit('presence:changed', {
        meetingId,
        bridges: payload.bridges.map(bridgeView),
        delegates: payload.delegates.map(delegateView),
        counts: c,
      });
    emit(io.to(managers), { bridges, delegates });
    // Bridge screens whose own bridge or seated delegates changed.
    const touched = new Set<number>([...p.bridges, ...delegates.flatMap((d) => (d.bridgePointId === null ? [] : [d.bridgePointId]))]);
    const bridgeRooms: string[] = [];
    for (const bp of touched) {
      const room = rooms.bridge(meetingId, bp);
      bridgeRooms.push(room);
      emit(io.to(room).except(managers), {
        bridges: bridges.filter((b) => b.bridgePointId === bp),
        delegates: delegates.filter((d) => d.bridgePointId === bp),
      });
    }
    // Phones of delegates whose own row changed (a user room spans meetings; the client filters by meetingId).
    const userRooms: string[] = [];
    for (const d of delegates) {
      const room = rooms.user(d.userId);
      userRooms.push(room);
      emit(io.to(room).except([managers, ...bridgeRooms]), { bridges: [], delegates: [d] });
    }
    emit(io.to(rooms.meeting(meetingId)).except([managers, ...bridgeRooms, ...userRooms]), { bridges: [], delegates: [] });
  }

  return {
    /** Notes changed rows; the meeting's members hear of them when its window closes. */
    changed(meetingId: number, bridgeIds: readonly number[], delegateIds: readonly number[]) {
      if (closed) return;
      let p = pending.get(meetingId);
      if (!p) {
        const timer = setTimeout(() => flush(meetingId), windowMs);
        timer.unref();
        p = { bridges: new Set(), delegates: new Set(), timer };
        pending.set(meetingId, p);
      }
      for (const id of bridgeIds) p.bridges.add(id);
      for (const id of delegateIds) p.delegates.add(id);
    },
    close() {
      closed = true;
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
    },
  };
}
