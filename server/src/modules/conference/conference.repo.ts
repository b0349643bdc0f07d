/** Database access for the conference room. Synchronous (better-sqlite3); callers wrap writes in a transaction. */
import { asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { BridgeLevel, Level } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { preparedFor } from '../../lib/prepared.ts';
import { agendaItems, bridgePoints, meetingBridgePoints, meetingDelegates, meetings, units, users } from '../../db/schema.ts';
import { conferenceState, floorLog } from './conference.schema.ts';
import type { FloorEvent } from './floor.machine.ts';
import type { Roster } from './presence.machine.ts';

type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

/** Meetings whose stored state has a speaker holding the floor, to re-arm their expiry after a restart. */
export function meetingsWithSpeaker(db: Tx): number[] {
  return db
    .select({ id: conferenceState.meetingId })
    .from(conferenceState)
    .where(isNotNull(sql`json_extract(${conferenceState.state}, '$.floor.speaker.id')`))
    .all()
    .map((r) => r.id);
}

const LEVEL_OF_UNIT: Record<Level, BridgeLevel> = { province: 'provincial', district: 'district', commune: 'commune' };

/** Invited bridge points and delegates, with the level each one counts under. */
export function loadRoster(db: Tx, meetingId: number): Roster {
  const bridges = db
    .select({ bridgePointId: bridgePoints.id, name: bridgePoints.name, code: units.code, level: bridgePoints.level })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(eq(meetingBridgePoints.meetingId, meetingId))
    .orderBy(asc(bridgePoints.id))
    .all();
  const levelOfBridge = new Map(bridges.map((b) => [b.bridgePointId, b.level]));
  const delegates = db
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
    .orderBy(asc(users.id))
    .all()
    .map(({ unitLevel, ...d }) => ({
      ...d,
      // A delegate counts under the bridge they sit at; on their own phone, under their unit's level.
      level: (d.bridgePointId !== null ? levelOfBridge.get(d.bridgePointId) : undefined) ?? LEVEL_OF_UNIT[unitLevel ?? 'province'],
    }));
  return { bridges, delegates };
}

const agendaRefs = preparedFor((db) =>
  db
    .select({ id: agendaItems.id, plannedMinutes: agendaItems.plannedMinutes })
    .from(agendaItems)
    .where(eq(agendaItems.meetingId, sql.placeholder('meetingId')))
    .orderBy(asc(agendaItems.position), asc(agendaItems.id))
    .prepare(),
);

/** The meeting's agenda items in order; read by every command, so prepared once. */
export const loadAgendaRefs = (db: Db, meetingId: number) => agendaRefs(db).all({ meetingId });

export function setMeetingStatus(db: Tx, meetingId: number, status: 'live' | 'ended'): void {
  db.update(meetings).set({ status, updatedAt: new Date().toISOString() }).where(eq(meetings.id, meetingId)).run();
}

/** Writes the floor events of one command to the log for the minutes. */
export function appendFloorLog(db: Tx, meetingId: number, events: readonly FloorEvent[]): void {
  for (const e of events) {
    const base = { meetingId, at: e.at };
    if (e.type === 'floor:reordered') {
      db.insert(floorLog).values({ ...base, kind: 'reordered', byUserId: e.by, details: e.order }).run();
      continue;
    }
    const r = e.type === 'floor:requested' ? e.request : e.type === 'floor:withdrawn' ? e.request : e.speaker;
    db.insert(floorLog)
      .values({
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
      })
      .run();
  }
}

export function listFloorLog(db: Tx, meetingId: number) {
  return db.select().from(floorLog).where(eq(floorLog.meetingId, meetingId)).orderBy(asc(floorLog.id)).all();
}
