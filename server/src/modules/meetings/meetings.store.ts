/**
 * The meeting reads of meetings.access.ts on the async data layer (db/database.ts), for the modules
 * converted so far (reminders). Same queries, same results; the synchronous versions go once every
 * caller is converted.
 */
import { and, eq } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import { notFound } from '../../lib/app-error.ts';
import type { InvitedPerson, MeetingRow } from './meetings.access.ts';

export async function meetingOr404({ q, t }: Store, id: number): Promise<MeetingRow> {
  const [m] = await q.select().from(t.meetings).where(eq(t.meetings.id, id));
  if (!m) throw notFound('Meeting');
  return m;
}

/** The chairing unit's name, where the meeting is held. */
export async function placeOf({ q, t }: Store, meeting: Pick<MeetingRow, 'chairUnitId'>): Promise<string> {
  const [u] = await q.select({ n: t.units.name }).from(t.units).where(eq(t.units.id, meeting.chairUnitId));
  return u?.n ?? '';
}

/** As invitedPeople(): delegates, then the operators of invited bridge points, active accounts only. */
export async function invitedPeopleOf({ q, t }: Store, meetingId: number): Promise<InvitedPerson[]> {
  const { users, meetingDelegates, meetingBridgePoints, bridgePoints } = t;
  const delegates = await q
    .select({ user: users, bp: meetingDelegates.bridgePointId, unit: bridgePoints.unitId })
    .from(meetingDelegates)
    .innerJoin(users, eq(users.id, meetingDelegates.userId))
    .leftJoin(bridgePoints, eq(bridgePoints.id, meetingDelegates.bridgePointId))
    .where(and(eq(meetingDelegates.meetingId, meetingId), eq(users.active, true)));
  const operators = await q
    .select({ user: users, bp: bridgePoints.id, unit: bridgePoints.unitId })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .innerJoin(users, eq(users.id, bridgePoints.operatorUserId))
    .where(and(eq(meetingBridgePoints.meetingId, meetingId), eq(users.active, true)));
  return [
    ...delegates.map((r) => ({ user: r.user, kind: 'delegate' as const, bridgePointId: r.bp, bridgeUnitId: r.unit })),
    ...operators.map((r) => ({ user: r.user, kind: 'bridge' as const, bridgePointId: r.bp, bridgeUnitId: r.unit })),
  ];
}
