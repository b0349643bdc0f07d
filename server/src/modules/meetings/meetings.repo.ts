/**
 * Database access for meetings and their invitations, on the async data layer (db/database.ts), so
 * it runs on SQLite and PostgreSQL alike.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Meeting, MeetingCreate, MeetingStatus, MeetingUpdate, Invitation } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import { selectRaw } from '../../db/dialect.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import type { MeetingRow } from './meetings.access.ts';

export const toMeeting = (m: MeetingRow): Meeting => ({ ...m });

/** Meetings visible to a user: their province's for secretariat/observers, their invitations otherwise. */
export async function listMeetings({ q, t }: Store, user: AuthUser): Promise<Meeting[]> {
  const { meetings, units, meetingBridgePoints, meetingDelegates } = t;
  const visible = () => {
    switch (user.role) {
      case 'admin':
        return undefined;
      case 'secretariat':
      case 'observer':
        return eq(units.provinceId, user.provinceId ?? -1);
      case 'bridge_operator':
        return inArray(meetings.id, q.select({ id: meetingBridgePoints.meetingId }).from(meetingBridgePoints).where(eq(meetingBridgePoints.bridgePointId, user.bridgePointId ?? -1)));
      default:
        return inArray(meetings.id, q.select({ id: meetingDelegates.meetingId }).from(meetingDelegates).where(eq(meetingDelegates.userId, user.id)));
    }
  };
  // A QR-opened session sees its own meeting and nothing else.
  const scope = user.scope ? eq(meetings.id, user.scope.meetingId) : undefined;
  const rows = await q
    .select({ m: meetings })
    .from(meetings)
    .innerJoin(units, eq(units.id, meetings.chairUnitId))
    .where(and(visible(), scope))
    // Ties on the start time keep one order on both engines.
    .orderBy(desc(meetings.startsAt), asc(meetings.id));
  return rows.map((r) => toMeeting(r.m));
}

export async function insertMeeting({ q, t }: Store, body: Static<typeof MeetingCreate>, createdBy: number): Promise<Meeting> {
  const [m] = await q.insert(t.meetings).values({ ...body, description: body.description ?? '', createdBy }).returning();
  return toMeeting(m!);
}

export async function updateMeeting({ q, t }: Store, id: number, patch: Static<typeof MeetingUpdate> | { status: MeetingStatus }): Promise<Meeting> {
  const [m] = await q.update(t.meetings).set({ ...patch, updatedAt: new Date().toISOString() }).where(eq(t.meetings.id, id)).returning();
  return toMeeting(m!);
}

export async function deleteMeeting({ q, t }: Store, id: number): Promise<void> {
  await q.delete(t.meetings).where(eq(t.meetings.id, id));
}

export async function getInvitation({ q, t }: Store, meetingId: number): Promise<Invitation> {
  const { bridgePoints, meetingBridgePoints, meetingDelegates, users } = t;
  const bps = await q
    .select({ bp: bridgePoints })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .where(eq(meetingBridgePoints.meetingId, meetingId))
    .orderBy(bridgePoints.id);
  const delegates = await q
    .select({ userId: users.id, fullName: users.fullName, unitId: users.unitId, bridgePointId: meetingDelegates.bridgePointId })
    .from(meetingDelegates)
    .innerJoin(users, eq(users.id, meetingDelegates.userId))
    .where(eq(meetingDelegates.meetingId, meetingId))
    .orderBy(users.id);
  return { bridgePoints: bps.map((r) => r.bp), delegates };
}

/** Of `ids`, the bridge points whose unit belongs to the province `provinceId`. */
export async function bridgePointsInProvince({ q, t }: Store, ids: number[], provinceId: number | null): Promise<number[]> {
  const { bridgePoints, units } = t;
  const rows = await q
    .select({ id: bridgePoints.id })
    .from(bridgePoints)
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(and(inArray(bridgePoints.id, ids), eq(units.provinceId, provinceId ?? -1)));
  return rows.map((r) => r.id);
}

/** Of `ids`, the delegates whose unit belongs to the province `provinceId`. */
export async function delegatesInProvince({ q, t }: Store, ids: number[], provinceId: number | null): Promise<number[]> {
  const { users, units } = t;
  const rows = await q
    .select({ id: users.id })
    .from(users)
    .innerJoin(units, eq(units.id, users.unitId))
    .where(and(inArray(users.id, ids), eq(users.role, 'delegate'), eq(units.provinceId, provinceId ?? -1)));
  return rows.map((r) => r.id);
}

/** Bridge points in the subtrees of `unitIds` (a district pick invites its communes too), limited to one province. */
export async function bridgePointsUnder(s: Store, unitIds: number[], provinceId: number | null): Promise<number[]> {
  if (!unitIds.length) return [];
  const rows = await selectRaw<{ id: number | string }>(s, sql`
    WITH RECURSIVE sub(id) AS (
      SELECT id FROM units WHERE id IN (${sql.join(unitIds.map((u) => sql`${u}`), sql`, `)})
        ${provinceId == null ? sql`` : sql`AND province_id = ${provinceId}`}
      UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id
    )
    SELECT bp.id AS id FROM bridge_points bp JOIN sub ON bp.unit_id = sub.id ORDER BY bp.id`);
  // Raw rows skip the schema's mapping: PostgreSQL's driver returns a bigint as a string.
  return rows.map((r) => Number(r.id));
}

export async function inviteBridgePoints({ q, t }: Store, meetingId: number, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await q.insert(t.meetingBridgePoints).values(ids.map((bridgePointId) => ({ meetingId, bridgePointId }))).onConflictDoNothing();
}

export async function uninviteBridgePoint({ q, t }: Store, meetingId: number, bridgePointId: number): Promise<boolean> {
  const { meetingBridgePoints: mbp } = t;
  const gone = await q.delete(mbp).where(and(eq(mbp.meetingId, meetingId), eq(mbp.bridgePointId, bridgePointId))).returning({ id: mbp.bridgePointId });
  return gone.length > 0;
}

/**
 * Invites delegates, seated at `seat`: a bridge point, null for their own
 * device, or (undefined) each at their home bridge point when it is invited
 * to the meeting, else on their own device.
 */
export async function inviteDelegates({ q, t }: Store, meetingId: number, userIds: number[], seat: number | null | undefined): Promise<void> {
  if (!userIds.length) return;
  const { meetingBridgePoints, meetingDelegates, users } = t;
  const invited =
    seat === undefined
      ? new Set((await q.select({ id: meetingBridgePoints.bridgePointId }).from(meetingBridgePoints).where(eq(meetingBridgePoints.meetingId, meetingId))).map((r) => r.id))
      : new Set<number>();
  const homes =
    seat === undefined
      ? new Map((await q.select({ id: users.id, home: users.homeBridgePointId }).from(users).where(inArray(users.id, userIds))).map((r) => [r.id, r.home]))
      : new Map<number, number | null>();
  const rows = userIds.map((userId) => {
    const home = homes.get(userId) ?? null;
    return { meetingId, userId, bridgePointId: seat !== undefined ? seat : home !== null && invited.has(home) ? home : null };
  });
  // One statement for the lot (at most 2,000 ids, three parameters each); an invited delegate is re-seated.
  await q
    .insert(meetingDelegates)
    .values(rows)
    .onConflictDoUpdate({ target: [meetingDelegates.meetingId, meetingDelegates.userId], set: { bridgePointId: sql`excluded.${sql.identifier(meetingDelegates.bridgePointId.name)}` } });
}

export async function uninviteDelegate({ q, t }: Store, meetingId: number, userId: number): Promise<boolean> {
  const { meetingDelegates: md } = t;
  const gone = await q.delete(md).where(and(eq(md.meetingId, meetingId), eq(md.userId, userId))).returning({ id: md.userId });
  return gone.length > 0;
}
