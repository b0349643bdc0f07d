/**
 * One broadcast, shaped by who receives it. A meeting's sockets fall into
 * three audiences: the secretariat (managers room), each bridge point's
 * screen (its bridge room) and everyone else (phones, observers). Each socket
 * is addressed once, by the first audience it belongs to in that order, and
 * gets the payload made for that audience, so a phone's copy of a 213-bridge
 * turnout does not carry 213 rows it never shows.
 */
import type { Static } from 'typebox';
import type { BroadcastName, Broadcasts } from '@diemcau/shared';
import type { Membership } from '../modules/meetings/meetings.access.ts';

export type Audience = { kind: 'manager' } | { kind: 'bridge'; bridgePointId: number } | { kind: 'member' };

/** The audience a member's own screen belongs to (join snapshots follow the broadcasts' shape). */
export function audienceOf(m: Membership | null): Audience {
  if (m?.kind === 'admin' || m?.kind === 'secretariat') return { kind: 'manager' };
  if (m?.kind === 'bridge') return { kind: 'bridge', bridgePointId: m.bridgePointId };
  return { kind: 'member' };
}

export interface LocalAudiences {
  /**
   * `payloadFor` is called once per audience that has sockets on this node (once per bridge point
   * for bridge screens); null leaves that audience out. On a cluster this reaches this node's sockets
   * only: broadcasts that must reach every node use `emitShaped`.
   */
  emit<E extends BroadcastName>(event: E, payloadFor: (audience: Audience) => Static<Broadcasts[E]> | null): boolean;
}

export interface AudienceEmitter extends LocalAudiences {
  /**
   * `full` is the secretariat's copy; every other audience gets it narrowed by `shape`. Being data
   * rather than a function, it travels to the other nodes of a cluster, and each shapes it for its
   * own sockets. Returns whether a socket of this node was addressed.
   */
  emitShaped<E extends BroadcastName>(event: E, full: Static<Broadcasts[E]>, shape: Shape): boolean;
}

/**
 * How a broadcast is narrowed per audience: the per-place rows (`byBridgePoint`) of the payload, or
 * of its `field`, are cut to the bridge's own place (none for members); `only` leaves audiences out.
 */
export interface Shape {
  field: string | null;
  only?: 'staff' | 'members';
}

/**
 * A turnout or result as a screen shows it: the secretariat follows every bridge point, a bridge
 * screen its own hall (for its hall count), a phone the totals per level. A phone's copy stays a few
 * hundred bytes however many bridge points the meeting has; the full result stays one request away
 * (GET /api/polls/{id}/result) and goes into the minutes.
 */
export function forAudience<T extends { byBridgePoint: readonly { bridgePointId: number | null }[] }>(x: T, audience: Audience): T {
  if (audience.kind === 'manager') return x;
  const own = audience.kind === 'bridge' ? x.byBridgePoint.filter((b) => b.bridgePointId === audience.bridgePointId) : [];
  return { ...x, byBridgePoint: own };
}

export function shapeFor(full: unknown, shape: Shape, audience: Audience): unknown {
  if (shape.only === 'staff' && audience.kind === 'member') return null;
  if (shape.only === 'members' && audience.kind !== 'member') return null;
  type Rows = Parameters<typeof forAudience>[0];
  if (shape.field === null) return forAudience(full as Rows, audience);
  const obj = full as Record<string, unknown>;
  return { ...obj, [shape.field]: forAudience(obj[shape.field] as Rows, audience) };
}

type Rooms = { meeting(id: number): string; managers(id: number): string; bridge(id: number, bp: number): string };

/**
 * The sockets of `room` not yet in `addressed`, which it then records: walking a meeting's audiences
 * in order with one `addressed` set sends each socket one message, from the first audience it is in.
 */
export function notYetAddressed(socketRooms: ReadonlyMap<string, ReadonlySet<string>>, room: string, addressed: Set<string>): string[] {
  const ids: string[] = [];
  for (const id of socketRooms.get(room) ?? []) {
    if (addressed.has(id)) continue;
    addressed.add(id);
    ids.push(id);
  }
  return ids;
}

/** The meeting's bridge rooms that have sockets, with their bridge point: rooms are named after the meeting, so found by prefix. */
export function* bridgeRooms(meetingId: number, rooms: Pick<Rooms, 'bridge'>, socketRooms: ReadonlyMap<string, ReadonlySet<string>>): Generator<[string, number]> {
  const prefix = rooms.bridge(meetingId, 0).slice(0, -1);
  for (const room of socketRooms.keys()) {
    if (!room.startsWith(prefix)) continue;
    const bp = Number(room.slice(prefix.length));
    if (Number.isInteger(bp)) yield [room, bp];
  }
}

/**
 * `socketRooms` is the adapter's room → socket ids map; `send` writes one payload to a list of
 * socket ids (chunked through the command queue in the app).
 */
export function meetingAudiences(meetingId: number, rooms: Rooms, socketRooms: ReadonlyMap<string, ReadonlySet<string>>, send: (ids: string[], event: BroadcastName, payload: unknown) => void): LocalAudiences {
  return {
    emit(event, payloadFor) {
      const addressed = new Set<string>();
      const to = (room: string, audience: Audience) => {
        const ids = notYetAddressed(socketRooms, room, addressed);
        if (!ids.length) return;
        const payload = payloadFor(audience);
        if (payload !== null) send(ids, event, payload);
      };
      to(rooms.managers(meetingId), { kind: 'manager' });
      for (const [room, bridgePointId] of bridgeRooms(meetingId, rooms, socketRooms)) to(room, { kind: 'bridge', bridgePointId });
      to(rooms.meeting(meetingId), { kind: 'member' });
      return addressed.size > 0;
    },
  };
}
