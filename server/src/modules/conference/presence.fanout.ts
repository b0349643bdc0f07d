/**
 * Presence shaped by audience. A check-in used to reach every socket of the
 * meeting with the delegate's row (2,000 check-ins x 2,000 phones); now:
 * - the secretariat (managers room) gets the changed bridge and delegate rows,
 * - a bridge screen gets its own bridge's row and its seated delegates' rows,
 * - a delegate's phone gets its own row,
 * - everyone gets the counts per level,
 * and all of it coalesced per meeting, so a wave of check-ins costs each
 * socket a few messages, not one per delegate: the secretariat and the bridge
 * screens hear as soon as the changes pause (QUIET_MS), at most twice in a row
 * and then once per window (STAFF_BURST),
 * the phones once per MEMBER_SLOWDOWN windows
 * (their flush writes to 2,000 sockets; during a storm it was most of the
 * server's work). Each socket receives exactly one `presence:changed` per flush.
 * A flush writes to every socket of the meeting (~0.1 ms each): it goes out in
 * chunks through the realtime command queue (`defer`) so 2,000 phones do not
 * stall the event loop for a fifth of a second. A socket away at the flush hears
 * nothing of it; its client joins again on reconnecting and gets a fresh snapshot.
 * Join snapshots follow the same rule, so a phone's does not grow with the meeting.
 */
import type { Broadcasts, PresenceCounts, PresenceView } from '@diemcau/shared';
import type { Static } from 'typebox';
import type { FastifyBaseLogger } from 'fastify';
import { rooms, type AppServer } from '../../plugins/realtime.ts';
import { bridgeRooms, notYetAddressed } from '../../plugins/realtime-audience.ts';
import type { Membership } from '../meetings/meetings.access.ts';
import { bridgeView, delegateView } from './conference.views.ts';
import { counts, delegateOf, type PresenceState } from './presence.machine.ts';
import { rollCallView } from './rollcall.machine.ts';

/** Counts of one presence state, computed once however many joins and flushes ask: states are never mutated. */
const countsMemo = new WeakMap<PresenceState, PresenceCounts>();
function countsOf(p: PresenceState): PresenceCounts {
  let c = countsMemo.get(p);
  if (!c) countsMemo.set(p, (c = counts(p)));
  return c;
}

/** The presence a member's screen shows: bounded by their role, not by the meeting's size. */
export function presenceFor(p: PresenceState, m: Membership, userId: number): PresenceView {
  const base = { counts: countsOf(p), rollCall: rollCallView(p) };
  switch (m.kind) {
    case 'admin':
    case 'secretariat':
      return { ...base, bridges: p.bridges.map(bridgeView), delegates: p.delegates.toArray().map(delegateView) };
    case 'bridge':
      return {
        ...base,
        bridges: p.bridges.filter((b) => b.bridgePointId === m.bridgePointId).map(bridgeView),
        delegates: p.delegates.toArray().filter((d) => d.bridgePointId === m.bridgePointId).map(delegateView),
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

type PresenceChanged = Static<Broadcasts['presence:changed']>;

export interface PresenceFanoutDeps {
  io: AppServer;
  /** The meeting's presence as it stands when the window closes. */
  read: (meetingId: number) => Promise<PresenceState>;
  /** Coalescing window per meeting. */
  windowMs: number;
  log: FastifyBaseLogger;
  /** Writes a flush's payload to these sockets; chunked through the realtime command queue in the app, at once by default. */
  emitTo?: (socketIds: string[], payload: PresenceChanged) => void;
  /** Whether commands are waiting to run (the realtime command queue's backlog). */
  busy?: () => boolean;
}

/**
 * While commands are waiting (a check-in storm), a flush would be followed by another as soon as
 * the window closes again, every socket of the meeting written each time: the window stretches
 * until the queue is empty, up to this many windows, so a storm costs each socket about one message.
 */
const MAX_STRETCH = 5;

/** Phones hear presence this many windows apart (a second with the default window). */
const MEMBER_SLOWDOWN = 4;

/**
 * The secretariat and the bridge screens hear a change once no other has come for this long, rather
 * than at the end of a whole window: a lone check-in shows on the console within ~40 ms, and a storm
 * as soon as it is over. Phones keep the whole (longer) window, as each of their pushes writes to
 * every socket of the meeting.
 */
const QUIET_MS = 40;

/**
 * The staff may hear this many pushes in a row, then one a window: at most STAFF_BURST in any
 * STAFF_BURST windows. With one a window, a storm that outlasted the window (pushed at the window's
 * end, part done) reached the console a whole window after that push rather than when it was over:
 * in bench-presence a third of the storms took 650-720 ms instead of 310-340 ms that way.
 */
const STAFF_BURST = 2;

/** Who a flush writes to: the secretariat and bridge screens, or everyone else. */
type Audience = 'staff' | 'members';

export type PresenceFanout = ReturnType<typeof createPresenceFanout>;

export function createPresenceFanout({ io, read, windowMs, log, emitTo = (ids, payload) => io.to(ids).emit('presence:changed', payload), busy = () => false }: PresenceFanoutDeps) {
  type Pending = { bridges: Set<number>; delegates: Set<number>; timer: NodeJS.Timeout; since: number; last: number };
  const pending = { staff: new Map<number, Pending>(), members: new Map<number, Pending>() };
  /** When each meeting's staff last heard (performance.now(), the last STAFF_BURST pushes, oldest first). */
  const staffFlushed = new Map<number, number[]>();
  const windowOf = (who: Audience) => (who === 'staff' ? windowMs : windowMs * MEMBER_SLOWDOWN);
  let closed = false;

  const arm = (meetingId: number, who: Audience, ms: number) => {
    const timer = setTimeout(() => due(meetingId, who), ms);
    timer.unref();
    return timer;
  };
  /** When a change noted now (the first since the last push) may go out. */
  function firstDue(meetingId: number, who: Audience, now: number): number {
    if (who === 'members') return now + windowOf(who);
    const span = windowMs * STAFF_BURST;
    const pushes = staffFlushed.get(meetingId) ?? [];
    // Forgotten once it holds nothing back any more: meetings come and go.
    if (pushes.length && now - pushes.at(-1)! >= span) staffFlushed.delete(meetingId);
    const heldUntil = pushes.length >= STAFF_BURST ? pushes[0]! + span : -Infinity;
    return Math.max(now + QUIET_MS, heldUntil);
  }
  function due(meetingId: number, who: Audience) {
    const p = pending[who].get(meetingId);
    if (!p) return;
    const now = performance.now();
    // Staff: changes still coming in, and the window since the first not over yet: wait for a quiet moment.
    if (who === 'staff' && now - p.last < QUIET_MS && now - p.since < windowMs) {
      p.timer = arm(meetingId, who, Math.max(1, Math.min(p.last + QUIET_MS, p.since + windowMs) - now));
    } else if (busy() && now - p.since < windowOf(who) * MAX_STRETCH) {
      p.timer = arm(meetingId, who, Math.max(10, who === 'staff' ? Math.min(QUIET_MS, windowMs / 6) : windowMs / 6));
    } else void flush(meetingId, who);
  }

  async function flush(meetingId: number, who: Audience) {
    const p = pending[who].get(meetingId);
    // Changes noted while the state is read open the next window.
    pending[who].delete(meetingId);
    if (!p || closed) return;
    if (who === 'staff') staffFlushed.set(meetingId, [...(staffFlushed.get(meetingId) ?? []), performance.now()].slice(-STAFF_BURST));
    let s: PresenceState;
    try {
      s = await read(meetingId);
    } catch (err) {
      // The change is durable already; members see it at their next snapshot.
      log.error({ err, meetingId }, 'presence fan-out failed');
      return;
    }
    if (closed) return;
    const c = countsOf(s);
    const bridges = s.bridges.filter((b) => p.bridges.has(b.bridgePointId));
    const delegates = s.delegates.toArray().filter((d) => p.delegates.has(d.userId));
    const sockets = io.of('/').adapter.rooms;
    // Each socket is addressed once, by the first audience it belongs to in this order: managers,
    // bridge screens, phones whose own row changed, everyone else in the meeting. The members'
    // flush walks the staff rooms too, writing nothing there, so that staff sockets are skipped.
    const addressed = new Set<string>();
    const staff = who === 'staff';
    const send = (room: string, b: typeof bridges, d: typeof delegates, write: boolean) => {
      const ids = notYetAddressed(sockets, room, addressed);
      if (!ids.length || !write) return;
      emitTo(ids, { meetingId, bridges: b.map(bridgeView), delegates: d.map(delegateView), counts: c });
    };
    send(rooms.managers(meetingId), bridges, delegates, staff);
    // Every bridge screen: its own bridge's and seated delegates' rows, when they changed, and the counts.
    for (const [room, bp] of bridgeRooms(meetingId, rooms, sockets)) {
      send(
        room,
        bridges.filter((b) => b.bridgePointId === bp),
        delegates.filter((d) => d.bridgePointId === bp),
        staff,
      );
    }
    if (staff) return;
    // Phones of delegates whose own row changed (a user room spans meetings; the client filters by meetingId).
    for (const d of delegates) send(rooms.user(d.userId), [], [d], true);
    send(rooms.meeting(meetingId), [], [], true);
  }

  return {
    /** Notes changed rows; the meeting's members hear of them when their audience's window closes. */
    changed(meetingId: number, bridgeIds: readonly number[], delegateIds: readonly number[]) {
      if (closed) return;
      for (const who of ['staff', 'members'] as const) {
        const now = performance.now();
        let p = pending[who].get(meetingId);
        if (!p) {
          p = { bridges: new Set(), delegates: new Set(), timer: arm(meetingId, who, firstDue(meetingId, who, now) - now), since: now, last: now };
          pending[who].set(meetingId, p);
        }
        p.last = now;
        for (const id of bridgeIds) p.bridges.add(id);
        for (const id of delegateIds) p.delegates.add(id);
      }
    },
    close() {
      closed = true;
      for (const m of Object.values(pending)) {
        for (const p of m.values()) clearTimeout(p.timer);
        m.clear();
      }
      staffFlushed.clear();
    },
  };
}
