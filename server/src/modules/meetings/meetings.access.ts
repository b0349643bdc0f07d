/**
 * Who may see, manage and join a meeting. Every route and socket handler goes
 * through these, so the province boundary is enforced in one place.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { bridgePoints, meetingBridgePoints, meetingDelegates, meetings, units, users } from '../../db/schema.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import { preparedFor } from '../../lib/prepared.ts';
import type { AuthUser } from '../auth/auth.service.ts';

export type MeetingRow = typeof meetings.$inferSelect;

/** How a user takes part in a meeting. */
export type Membership =
  | { kind: 'admin' | 'secretariat' | 'observer' }
  | { kind: 'bridge'; bridgePointId: number }
  | { kind: 'delegate'; bridgePointId: number | null };

const provinceOf = preparedFor((db) => db.select({ p: units.provinceId }).from(units).where(eq(units.id, sql.placeholder('id'))).prepare());
export function provinceOfUnit(db: Db, unitId: number): number | null {
  return provinceOf(db).get({ id: unitId })?.p ?? null;
}

/** Where a meeting is held: the hall of its chairing unit (meetings record no other place). */
export function meetingPlace(db: Db, meeting: Pick<MeetingRow, 'chairUnitId'>): string {
  return db.select({ n: units.name }).from(units).where(eq(units.id, meeting.chairUnitId)).get()?.n ?? '';
}

/** The chair's hall: the chairing unit's own bridge point invited to the meeting (the lowest id if it has several). */
export function chairHallOf(db: Db, meetingId: number): number | null {
  return (
    db
      .select({ id: bridgePoints.id })
      .from(meetings)
      .innerJoin(bridgePoints, eq(bridgePoints.unitId, meetings.chairUnitId))
      .innerJoin(meetingBridgePoints, and(eq(meetingBridgePoints.bridgePointId, bridgePoints.id), eq(meetingBridgePoints.meetingId, meetings.id)))
      .where(eq(meetings.id, meetingId))
      .orderBy(asc(bridgePoints.id))
      .get()?.id ?? null
  );
}

// Prepared once per connection: every conference command and join reads the meeting row.
const meetingById = preparedFor((db) => db.select().from(meetings).where(eq(meetings.id, sql.placeholder('id'))).prepare());

export function getMeetingOr404(db: Db, id: number): MeetingRow {
  const m = meetingById(db).get({ id });
  if (!m) throw notFound('Meeting');
  return m;
}

/** True when `user` runs meetings of the province the meeting's chairing unit belongs to. */
export function canManage(db: Db, user: AuthUser, meeting: MeetingRow): boolean {
  if (user.role === 'admin') return true;
  if (user.role !== 'secretariat' || user.provinceId == null) return false;
  return provinceOfUnit(db, meeting.chairUnitId) === user.provinceId;
}

export function assertCanManage(db: Db, user: AuthUser, meeting: MeetingRow): void {
  if (!canManage(db, user, meeting)) throw new AppError('FORBIDDEN', 403, 'This meeting belongs to another province or your role may not manage it');
}

/** The meeting `user` may manage: 404 when unknown, 403 when it is another province's. */
export function getManagedMeeting(db: Db, user: AuthUser, id: number): MeetingRow {
  const m = getMeetingOr404(db, id);
  assertCanManage(db, user, m);
  return m;
}

/** The bridge point a member attends (delegate) or runs (operator); null for the others. */
export const bridgePointOf = (m: Membership | null): number | null => (m?.kind === 'delegate' || m?.kind === 'bridge' ? m.bridgePointId : null);

// Every meeting:join checks the membership; after a restart 2,000 joins arrive within seconds.
const invitedBridge = preparedFor((db) =>
  db
    .select()
    .from(meetingBridgePoints)
    .where(and(eq(meetingBridgePoints.meetingId, sql.placeholder('meetingId')), eq(meetingBridgePoints.bridgePointId, sql.placeholder('bridgePointId'))))
    .prepare(),
);
const invitedDelegate = preparedFor((db) =>
  db
    .select()
    .from(meetingDelegates)
    .where(and(eq(meetingDelegates.meetingId, sql.placeholder('meetingId')), eq(meetingDelegates.userId, sql.placeholder('userId'))))
    .prepare(),
);

/** The user's membership of a meeting, or null when they are not part of it. */
export function membershipOf(db: Db, user: AuthUser, meeting: MeetingRow): Membership | null {
  // A QR-opened session reaches its own meeting and nothing else.
  if (user.scope && user.scope.meetingId !== meeting.id) return null;
  if (user.role === 'admin') return { kind: 'admin' };
  if (user.role === 'secretariat') return canManage(db, user, meeting) ? { kind: 'secretariat' } : null;
  if (user.role === 'observer') {
    return user.provinceId != null && provinceOfUnit(db, meeting.chairUnitId) === user.provinceId ? { kind: 'observer' } : null;
  }
  if (user.role === 'bridge_operator') {
    if (user.bridgePointId == null) return null;
    const invited = invitedBridge(db).get({ meetingId: meeting.id, bridgePointId: user.bridgePointId });
    return invited ? { kind: 'bridge', bridgePointId: user.bridgePointId } : null;
  }
  const d = invitedDelegate(db).get({ meetingId: meeting.id, userId: user.id });
  return d ? { kind: 'delegate', bridgePointId: d.bridgePointId } : null;
}

/** Throws NOT_MEMBER (403) unless the user takes part in the meeting. */
export function assertMember(db: Db, user: AuthUser, meeting: MeetingRow): Membership {
  const m = membershipOf(db, user, meeting);
  if (!m) throw new AppError('NOT_MEMBER', 403, 'You are not invited to this meeting');
  return m;
}

/** An ended (or archived) meeting is part of the record: its documents and QR codes no longer change. */
export function assertNotEnded(m: MeetingRow): MeetingRow {
  if (m.status === 'ended' || m.status === 'archived') throw new AppError('MEETING_ENDED', 409, 'The meeting has ended; its documents and QR codes are read-only');
  return m;
}

/** One invited person: a delegate (seated at a bridge point or not) or the operator of an invited bridge point. */
export interface InvitedPerson {
  user: typeof users.$inferSelect;
  kind: 'delegate' | 'bridge';
  bridgePointId: number | null;
  /** The unit of that bridge point, when there is one. */
  bridgeUnitId: number | null;
}

/**
 * Everyone a meeting invites, active accounts only: its delegates, then the operators of its
 * bridge points. One definition for the modules that reach invitees (documents, QR, reminders);
 * a person both delegate and operator appears once per role.
 */
export function invitedPeople(db: Db, meetingId: number): InvitedPerson[] {
  const delegates = db
    .select({ user: users, bp: meetingDelegates.bridgePointId, unit: bridgePoints.unitId })
    .from(meetingDelegates)
    .innerJoin(users, eq(users.id, meetingDelegates.userId))
    .leftJoin(bridgePoints, eq(bridgePoints.id, meetingDelegates.bridgePointId))
    .where(and(eq(meetingDelegates.meetingId, meetingId), eq(users.active, true)))
    .all();
  const operators = db
    .select({ user: users, bp: bridgePoints.id, unit: bridgePoints.unitId })
    .from(meetingBridgePoints)
    .innerJoin(bridgePoints, eq(bridgePoints.id, meetingBridgePoints.bridgePointId))
    .innerJoin(users, eq(users.id, bridgePoints.operatorUserId))
    .where(and(eq(meetingBridgePoints.meetingId, meetingId), eq(users.active, true)))
    .all();
  return [
    ...delegates.map((r) => ({ user: r.user, kind: 'delegate' as const, bridgePointId: r.bp, bridgeUnitId: r.unit })),
    ...operators.map((r) => ({ user: r.user, kind: 'bridge' as const, bridgePointId: r.bp, bridgeUnitId: r.unit })),
  ];
}
