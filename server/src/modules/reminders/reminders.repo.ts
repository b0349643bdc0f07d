/**
 * Database access for reminders: who is reminded of what, and the sent-once records. On the async
 * data layer (db/database.ts), so it runs on SQLite and PostgreSQL alike.
 */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { ReminderNotice } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import type { MeetingRow } from '../meetings/meetings.access.ts';
import { invitedPeople, getMeetingOr404, meetingPlace } from '../meetings/meetings.access.ts';
import type { meetingReminders, ReminderRow } from './reminders.schema.ts';

export interface Recipient {
  userId: number;
  fullName: string;
  email: string | null;
}

/** Meetings that may still need reminders: announced (scheduled), not yet started. */
export const upcomingMeetings = ({ q, t }: Store): Promise<MeetingRow[]> => q.select().from(t.meetings).where(eq(t.meetings.status, 'scheduled'));

/** Invited delegates and the operators of invited bridge points, active accounts only, each once. */
export async function recipients(s: Store, meetingId: number): Promise<Recipient[]> {
  const people = (await invitedPeople(s, meetingId)).map(({ user: u }) => [u.id, { userId: u.id, fullName: u.fullName, email: u.email }] as const);
  return [...new Map(people).values()];
}

/** "userId:offset" of the reminders already recorded for a meeting's start (so a tick writes only what is new). */
export async function recordedKeys({ q, t }: Store, meetingId: number, startsAt: string): Promise<Set<string>> {
  const r = t.meetingReminders;
  const rows = await q.select({ u: r.userId, o: r.offsetMinutes }).from(r).where(and(eq(r.meetingId, meetingId), eq(r.startsAt, startsAt)));
  return new Set(rows.map((x) => `${x.u}:${x.o}`));
}

/** Records a reminder unless it was already sent; the row when it is new, else undefined. */
export async function insertOnce({ q, t }: Store, row: typeof meetingReminders.$inferInsert): Promise<ReminderRow | undefined> {
  const [inserted] = await q.insert(t.meetingReminders).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** A meeting's title and place, read once however many reminders of it are turned into notices. */
export interface MeetingLabel {
  title: string;
  place: string;
}

/** Labels by meeting id, read on first use (a list or a mail run covers few meetings and many rows). */
export function meetingLabels(s: Store): (meetingId: number) => Promise<MeetingLabel> {
  const seen = new Map<number, MeetingLabel>();
  return async (id) => {
    let l = seen.get(id);
    if (!l) {
      const m = await getMeetingOr404(s, id);
      seen.set(id, (l = { title: m.title, place: await meetingPlace(s, m) }));
    }
    return l;
  };
}

export const toNotice = (r: ReminderRow, m: MeetingLabel): ReminderNotice => ({
  id: r.id,
  meetingId: r.meetingId,
  meetingTitle: m.title,
  startsAt: r.startsAt,
  place: m.place,
  offsetMinutes: r.offsetMinutes,
  createdAt: r.createdAt,
});

/** Shown reminders the user has not dismissed, newest first. */
export function unseen({ q, t }: Store, userId: number): Promise<ReminderRow[]> {
  const r = t.meetingReminders;
  return q.select().from(r).where(and(eq(r.userId, userId), eq(r.shown, true), isNull(r.seenAt))).orderBy(desc(r.id));
}

export async function markSeen({ q, t }: Store, userId: number, ids: number[] | undefined, at: string): Promise<void> {
  const r = t.meetingReminders;
  const mine = eq(r.userId, userId);
  const where = ids?.length ? and(mine, inArray(r.id, ids)) : mine;
  await q.update(r).set({ seenAt: at }).where(and(where, isNull(r.seenAt)));
}

/**
 * Shown reminders still to be mailed (a failed send is retried a few times), with their recipient: only to an
 * address, and only for meetings still ahead, so rows that will never be mailed are not read again every tick.
 */
export function pendingMail({ q, t }: Store, maxAttempts: number, nowIso: string) {
  const { meetingReminders: r, users } = t;
  return q
    .select({ r, fullName: users.fullName, email: users.email })
    .from(r)
    .innerJoin(users, eq(users.id, r.userId))
    .where(and(eq(r.shown, true), isNull(r.emailedAt), isNotNull(users.email), lt(r.emailAttempts, maxAttempts), gt(r.startsAt, nowIso)))
    // The scan order of either engine is not an order; oldest first keeps a mail run's order stable.
    .orderBy(r.id);
}

export async function recordMail({ q, t }: Store, id: number, ok: boolean, at: string): Promise<void> {
  const r = t.meetingReminders;
  await q.update(r).set({ emailAttempts: sql`${r.emailAttempts} + 1`, ...(ok && { emailedAt: at }) }).where(eq(r.id, id));
}

/** E-mail addresses and names of some users (for the new-material notice). */
export async function contacts({ q, t }: Store, userIds: number[]): Promise<Recipient[]> {
  if (!userIds.length) return [];
  const { users } = t;
  return q.select({ userId: users.id, fullName: users.fullName, email: users.email }).from(users).where(and(inArray(users.id, userIds), eq(users.active, true)));
}
