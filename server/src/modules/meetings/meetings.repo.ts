import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Meeting, MeetingCreate, MeetingStatus, MeetingUpdate, Invitation } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { bridgePoints, meetingBridgePoints, meetingDelegates, meetings, units, users } from '../../db/schema.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { MeetingRow } from './meetings.access.ts';

export const toMeeting = (m: MeetingRow): Meeting => ({ ...m });

/** Meetings visible to a user: their province's for secretariat/observers, their invitations otherwise. */
export function listMeetings(db: Db, user: AuthUser): Meeting[] {
  const q = db.select({ m: meetings }).from(meetings).innerJoin(units, eq(units.id, meetings.chairUnitId));
  let rows: { m: MeetingRow }[];
  switch (user.role) {
    case 'admin':
      rows = q.orderBy(desc(meetings.startsAt)).all();
      break;
    case 'secretariat':
    case 'observer':
      rows = q.where(eq(units.provinceId, user.provinceId ?? -1)).orderBy(desc(meetings.startsAt)).all();
      break;
    case 'bridge_operator':
      rows = q
        .where(inArray(meetings.id, db.select({ id: meetingBridgePoints.meetingId }).from(meetingBridgePoints).where(eq(meetingBridgePoints.bridgePointId, user.bridgePointId ?? -1))))
        .orderBy(desc(meetings.startsAt))
        .all();
      break;
    default:
      rows = q
        .where(inArray(meetings.id, db.select({ id: meetingDelegates.meetingId }).from(meetingDelegates).where(eq(meetingDelegates.userId, user.id))))
        .orderBy(desc(meetings.startsAt))
        .all();
  }
  const scoped = user.scope ? rows.filter((r) => r.m.id === user.scope!.meetingId) : rows;
  return scoped.map((r) => toMeeting(r.m));
}

export function insertMeeting(db: Db, body: Static<typeof MeetingCreate>, createdBy: number): Meeting {
  return toMeeting(
    db.insert(meetings).values({ ...body, description: body.description ?? '', createdBy }).returning().get(),
  );
}

export function updateMeeting(db: Db, id: number, patch: Static<typeof MeetingUpdate> | { status: MeetingStatus }): Meeting {
  return toMeeting(
    db.update(meetings).set({ ...patch, updatedAt: new Date().toISOString() }).where(eq(meetings.id, id)).returning().get()!,
  );
}

export function deleteMeeting(db: Db, id: number): void {
  db.delete(meetings).where(eq(meetings.id, id)).run();
}

export function getInvitation(db: Db, meetingId: number): Invitation {
  const bps = db
    .select({ bp: bridgePoints })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .where(eq(meetingBridgePoints.meetingId, meetingId))
    .orderBy(bridgePoints.id)
    .all()
    .map((r) => r.bp);
  const delegates = db
    .select({ userId: users.id, fullName: users.fullName, unitId: users.unitId, bridgePointId: meetingDelegates.bridgePointId })
    .from(meetingDelegates)
    .innerJoin(users, eq(users.id, meetingDelegates.userId))
    .where(eq(meetingDelegates.meetingId, meetingId))
    .orderBy(users.id)
    .all();
  return { bridgePoints: bps, delegates };
}

/** Bridge points in the subtrees of `unitIds` (a district pick invites its communes too), limited to one province. */
export function bridgePointsUnder(db: Db, unitIds: number[], provinceId: number | null): number[] {
  if (!unitIds.length) return [];
  const rows = db.all<{ id: number }>(sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM units WHERE id IN (${sql.join(unitIds.map((u) => sql`${u}`), sql`, `)})
        ${provinceId == null ? sql`` : sql`AND province_id = ${provinceId}`}
      UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id
    )
    SELECT bp.id AS id FROM bridge_points bp JOIN sub ON bp.unit_id = sub.id ORDER BY bp.id`);
  return rows.map((r) => r.id);
}

export function inviteBridgePoints(db: Db, meetingId: number, ids: number[]): void {
  for (const bridgePointId of ids) db.insert(meetingBridgePoints).values({ meetingId, bridgePointId }).onConflictDoNothing().run();
}

export function uninviteBridgePoint(db: Db, meetingId: number, bridgePointId: number): boolean {
  return (
    db.delete(meetingBridgePoints).where(and(eq(meetingBridgePoints.meetingId, meetingId), eq(meetingBridgePoints.bridgePointId, bridgePointId))).run()
      .changes > 0
  );
}

/**
 * Invites delegates, seated at `seat`: a bridge point, null for their own
 * device, or (undefined) each at their home bridge point when it is invited
 * to the meeting, else on their own device.
 */
export function inviteDelegates(db: Db, meetingId: number, userIds: number[], seat: number | null | undefined): void {
  const invited = new Set(
    seat === undefined
      ? db.select({ id: meetingBridgePoints.bridgePointId }).from(meetingBridgePoints).where(eq(meetingBridgePoints.meetingId, meetingId)).all().map((r) => r.id)
      : [],
  );
  const homes =
    seat === undefined && userIds.length
      ? new Map(db.select({ id: users.id, home: users.homeBridgePointId }).from(users).where(inArray(users.id, userIds)).all().map((r) => [r.id, r.home]))
      : new Map<number, number | null>();
  for (const userId of userIds) {
    const home = homes.get(userId) ?? null;
    const bridgePointId = seat !== undefined ? seat : home !== null && invited.has(home) ? home : null;
    db.insert(meetingDelegates)
      .values({ meetingId, userId, bridgePointId })
      .onConflictDoUpdate({ target: [meetingDelegates.meetingId, meetingDelegates.userId], set: { bridgePointId } })
      .run();
  }
}

export function uninviteDelegate(db: Db, meetingId: number, userId: number): boolean {
  return db.delete(meetingDelegates).where(and(eq(meetingDelegates.meetingId, meetingId), eq(meetingDelegates.userId, userId))).run().changes > 0;
}
