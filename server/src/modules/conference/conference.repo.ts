/** Database access for the conference room, on the async data layer (db/database.ts); callers pass the transaction's Store for writes. */
import { asc, eq, isNotNull } from 'drizzle-orm';
import type { BridgeLevel, Level } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { jsonField } from '../../db/dialect.ts';
import type { FloorEvent } from './floor.machine.ts';
import type { Roster } from './presence.machine.ts';

/** Meetings whose stored state has a speaker holding the floor, to re-arm their expiry after a restart. */
export async function meetingsWithSpeaker(s: Store): Promise<number[]> {
  const { conferenceState } = s.t;
  const rows = await s.q
    .select({ id: conferenceState.meetingId })
    .from(conferenceState)
    .where(isNotNull(jsonField(s, conferenceState.state, ['floor', 'speaker', 'id'])))
    .orderBy(asc(conferenceState.meetingId));
  return rows.map((r) => r.id);
}

const LEVEL_OF_UNIT: Record<Level, BridgeLevel> = { province: 'provincial', district: 'district', commune: 'commune' };

/** Invited bridge points and delegates, with the level each one counts under. */
export async function loadRoster({ q, t }: Store, meetingId: number): Promise<Roster> {
  const { bridgePoints, meetingBridgePoints, meetingDelegates, units, users } = t;
  const bridges = await q
    .select({ bridgePointId: bridgePoints.id, name: bridgePoints.name, code: units.code, level: bridgePoints.level })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(eq(meetingBridgePoints.meetingId, meetingId))
    .orderBy(asc(bridgePoints.id));
  const levelOfBridge = new Map(bridges.map((b) => [b.bridgePointId, b.level]));
  const rows = await q
    .select({
      userId: users.id,
      fullName: users.fullName,
      bridgePointId: meetingDelegates.bridgePointId,
      unitLevel: units.level,
    })
    .from(meetingDelegates)
    .innerJoin(users, eq(users.id, meetingDelegates.userId))
    .leftJoin(units, eq(units.id, users.unitId))
    .where(eq(meetingDelegates.meetingId, meetingId))
    .orderBy(asc(users.id));
  const delegates = rows.map(({ unitLevel, ...d }) => ({
    ...d,
    // A delegate counts under the bridge they sit at; on their own phone, under their unit's level.
    level: (d.bridgePointId !== null ? levelOfBridge.get(d.bridgePointId) : undefined) ?? LEVEL_OF_UNIT[unitLevel ?? 'province'],
  }));
  return { bridges, delegates };
}

/** The meeting's agenda items in order; read by every command. */
export function loadAgendaRefs({ q, t }: Store, meetingId: number): Promise<{ id: number; plannedMinutes: number }[]> {
  const { agendaItems } = t;
  return q
    .select({ id: agendaItems.id, plannedMinutes: agendaItems.plannedMinutes })
    .from(agendaItems)
    .where(eq(agendaItems.meetingId, meetingId))
    .orderBy(asc(agendaItems.position), asc(agendaItems.id));
}

export async function setMeetingStatus({ q, t }: Store, meetingId: number, status: 'live' | 'ended'): Promise<void> {
  await q.update(t.meetings).set({ status, updatedAt: new Date().toISOString() }).where(eq(t.meetings.id, meetingId));
}

/** Writes the floor events of one command to the log for the minutes. */
export async function appendFloorLog({ q, t }: Store, meetingId: number, events: readonly FloorEvent[]): Promise<void> {
  const { floorLog } = t;
  for (const e of events) {
    const base = { meetingId, at: e.at };
    if (e.type === 'floor:reordered') {
      await q.insert(floorLog).values({ ...base, kind: 'reordered', byUserId: e.by, details: e.order });
      continue;
    }
    const r = e.type === 'floor:requested' ? e.request : e.type === 'floor:withdrawn' ? e.request : e.speaker;
    await q.insert(floorLog).values({
      ...base,
      kind: e.type.slice('floor:'.length) as 'requested' | 'withdrawn' | 'granted' | 'revoked',
      requestId: r.id,
      itemId: r.itemId,
      userId: r.userId,
      bridgePointId: r.bridgePointId,
      displayName: r.displayName,
      topic: r.topic,
      limitMs: e.type === 'floor:granted' ? e.speaker.limitMs : null,
      reason: e.type === 'floor:withdrawn' || e.type === 'floor:revoked' ? e.reason : null,
      byUserId: e.type === 'floor:requested' ? r.userId : e.by,
    });
  }
}

export function listFloorLog({ q, t }: Store, meetingId: number) {
  return q.select().from(t.floorLog).where(eq(t.floorLog.meetingId, meetingId)).orderBy(asc(t.floorLog.id));
}

export type FloorLogRow = Awaited<ReturnType<typeof listFloorLog>>[number];
