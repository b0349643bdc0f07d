/**
 * Who may see, manage and join a meeting. Every route and socket handler goes
 * through these, so the province boundary is enforced in one place.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import { hot } from '../../db/dialect.ts';
import type { meetings, users } from '../../db/schema.ts';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { AuthUser } from '../auth/auth.service.ts';

export type MeetingRow = typeof meetings.$inferSelect;

/** How a user takes part in a meeting. */
export type Membership =
  | { kind: 'admin' | 'secretariat' | 'observer' }
  | { kind: 'bridge'; bridgePointId: number }
  | { kind: 'delegate'; bridgePointId: number | null };

/** The bridge point a member attends (delegate) or runs (operator); null for the others. */
export const bridgePointOf = (m: Membership | null): number | null => (m?.kind === 'delegate' || m?.kind === 'bridge' ? m.bridgePointId : null);

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

// Every meeting:join reads these (2,000 joins within seconds after a restart): prepared, since
// building a query costs several times what running it does on SQLite (db/dialect.ts).
const provinceQuery = hot(({ q, t }) => q.select({ p: t.units.provinceId }).from(t.units).where(eq(t.units.id, sql.placeholder('id'))));
const meetingQuery = hot(({ q, t }) => q.select().from(t.meetings).where(eq(t.meetings.id, sql.placeholder('id'))));
const invitedBridgeQuery = hot(({ q, t: { meetingBridgePoints: mbp } }) =>
  q
    .select({ id: mbp.bridgePointId })
    .from(mbp)
    .where(and(eq(mbp.meetingId, sql.placeholder('meetingId')), eq(mbp.bridgePointId, sql.placeholder('bridgePointId')))),
);
const invitedDelegateQuery = hot(({ q, t: { meetingDelegates: md } }) =>
  q
    .select({ bp: md.bridgePointId })
    .from(md)
    .where(and(eq(md.meetingId, sql.placeholder('meetingId')), eq(md.userId, sql.placeholder('userId')))),
);

export async function provinceOfUnit(s: Store, unitId: number): Promise<number | null> {
  const [u] = await provinceQuery(s, { id: unitId });
  return u?.p ?? null;
}

/** Where a meeting is held: the hall of its chairing unit (meetings record no other place). */
export async function meetingPlace({ q, t }: Store, meeting: Pick<MeetingRow, 'chairUnitId'>): Promise<string> {
  const [u] = await q.select({ n: t.units.name }).from(t.units).where(eq(t.units.id, meeting.chairUnitId));
  return u?.n ?? '';
}

/** The chair's hall: the chairing unit's own bridge point invited to the meeting (the lowest id if it has several). */
export async function chairHallOf({ q, t }: Store, meetingId: number): Promise<number | null> {
  const { meetings, bridgePoints, meetingBridgePoints } = t;
  const [bp] = await q
    .select({ id: bridgePoints.id })
    .from(meetings)
    .innerJoin(bridgePoints, eq(bridgePoints.unitId, meetings.chairUnitId))
    .innerJoin(meetingBridgePoints, and(eq(meetingBridgePoints.bridgePointId, bridgePoints.id), eq(meetingBridgePoints.meetingId, meetings.id)))
    .where(eq(meetings.id, meetingId))
    .orderBy(asc(bridgePoints.id))
    .limit(1);
  return bp?.id ?? null;
}

export async function getMeetingOr404(s: Store, id: number): Promise<MeetingRow> {
  const [m] = await meetingQuery(s, { id });
  if (!m) throw notFound('Meeting');
  return m;
}

/** True when `user` runs meetings of the province the meeting's chairing unit belongs to. */
export async function canManage(s: Store, user: AuthUser, meeting: MeetingRow): Promise<boolean> {
  if (user.role === 'admin') return true;
  if (user.role !== 'secretariat' || user.provinceId == null) return false;
  return (await provinceOfUnit(s, meeting.chairUnitId)) === user.provinceId;
}

export async function assertCanManage(s: Store, user: AuthUser, meeting: MeetingRow): Promise<void> {
  if (!(await canManage(s, user, meeting))) throw new AppError('FORBIDDEN', 403, 'This meeting belongs to another province or your role may not manage it');
}

/** The meeting `user` may manage: 404 when unknown, 403 when it is another province's. */
export async function getManagedMeeting(s: Store, user: AuthUser, id: number): Promise<MeetingRow> {
  const m = await getMeetingOr404(s, id);
  await assertCanManage(s, user, m);
  return m;
}

/** The user's membership of a meeting, or null when they are not part of it. */
export async function membershipOf(s: Store, user: AuthUser, meeting: MeetingRow): Promise<Membership | null> {
  // A QR-opened session reaches its own meeting and nothing else.
  if (user.scope && user.scope.meetingId !== meeting.id) return null;
  if (user.role === 'admin') return { kind: 'admin' };
  if (user.role === 'secretariat') return (await canManage(s, user, meeting)) ? { kind: 'secretariat' } : null;
  if (user.role === 'observer') {
    return user.provinceId != null && (await provinceOfUnit(s, meeting.chairUnitId)) === user.provinceId ? { kind: 'observer' } : null;
  }
  if (user.role === 'bridge_operator') {
    if (user.bridgePointId == null) return null;
    const [invited] = await invitedBridgeQuery(s, { meetingId: meeting.id, bridgePointId: user.bridgePointId });
    return invited ? { kind: 'bridge', bridgePointId: user.bridgePointId } : null;
  }
  const [d] = await invitedDelegateQuery(s, { meetingId: meeting.id, userId: user.id });
  return d ? { kind: 'delegate', bridgePointId: d.bp } : null;
}

/** Throws NOT_MEMBER (403) unless the user takes part in the meeting. */
export async function assertMember(s: Store, user: AuthUser, meeting: MeetingRow): Promise<Membership> {
  const m = await membershipOf(s, user, meeting);
  if (!m) throw new AppError('NOT_MEMBER', 403, 'You are not invited to this meeting');
  return m;
}

/**
 * Everyone a meeting invites, active accounts only: its delegates, then the operators of its
 * bridge points. One definition for the modules that reach invitees (documents, QR, reminders);
 * a person both delegate and operator appears once per role.
 */
export async function invitedPeople({ q, t }: Store, meetingId: number): Promise<InvitedPerson[]> {
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
