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

export interface AudienceEmitter {
  /**
   * `payloadFor` is called once per audience that has sockets (once per bridge point for bridge
   * screens); null leaves that audience out.
   */
  emit<E extends BroadcastName>(event: E, payloadFor: (audience: Audience) => Static<Broadcasts[E]> | null): boolean;
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
export function meetingAudiences(meetingId: number, rooms: Rooms, socketRooms: ReadonlyMap<string, ReadonlySet<string>>, send: (ids: string[], event: BroadcastName, payload: unknown) => void): AudienceEmitter {
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
