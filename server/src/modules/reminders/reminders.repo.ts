/** Database access for reminders: who is reminded of what, and the sent-once records. */
import { and, desc, eq, gt, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { ReminderNotice } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { meetings, users } from '../../db/schema.ts';
import { getMeetingOr404, invitedPeople, meetingPlace, type MeetingRow } from '../meetings/meetings.access.ts';
import { meetingReminders, type ReminderRow } from './reminders.schema.ts';

export interface Recipient {
  userId: number;
  fullName: string;
  email: string | null;
}

/** Meetings that may still need reminders: announced (scheduled), not yet started. */
export const upcomingMeetings = (db: Db): MeetingRow[] => db.select().from(meetings).where(eq(meetings.status, 'scheduled')).all();

/** Invited delegates and the operators of invited bridge points, active accounts only, each once. */
export function recipients(db: Db, meetingId: number): Recipient[] {
  const people = invitedPeople(db, meetingId).map(({ user: u }) => [u.id, { userId: u.id, fullName: u.fullName, email: u.email }] as const);
  return [...new Map(people).values()];
}

/** "userId:offset" of the reminders already recorded for a meeting's start (so a tick writes only what is new). */
export const recordedKeys = (db: Db, meetingId: number, startsAt: string): Set<string> =>
  new Set(
    db
      .select({ u: meetingReminders.userId, o: meetingReminders.offsetMinutes })
      .from(meetingReminders)
      .where(and(eq(meetingReminders.meetingId, meetingId), eq(meetingReminders.startsAt, startsAt)))
      .all()
      .map((r) => `${r.u}:${r.o}`),
  );

/** Records a reminder unless it was already sent; the row when it is new, else undefined. */
export const insertOnce = (db: Db, row: typeof meetingReminders.$inferInsert): ReminderRow | undefined =>
  db.insert(meetingReminders).values(row).onConflictDoNothing().returning().get();

/** A meeting's title and place, read once however many reminders of it are turned into notices. */
export interface MeetingLabel {
  title: string;
  place: string;
}

/** Labels by meeting id, read on first use (a list or a mail run covers few meetings and many rows). */
export function meetingLabels(db: Db): (meetingId: number) => MeetingLabel {
  const seen = new Map<number, MeetingLabel>();
  return (id) => {
    let l = seen.get(id);
    if (!l) {
      const m = getMeetingOr404(db, id);
      seen.set(id, (l = { title: m.title, place: meetingPlace(db, m) }));
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
export const unseen = (db: Db, userId: number): ReminderRow[] =>
  db.select().from(meetingReminders).where(and(eq(meetingReminders.userId, userId), eq(meetingReminders.shown, true), isNull(meetingReminders.seenAt))).orderBy(desc(meetingReminders.id)).all();

export function markSeen(db: Db, userId: number, ids: number[] | undefined, at: string): void {
  const mine = eq(meetingReminders.userId, userId);
  const where = ids?.length ? and(mine, inArray(meetingReminders.id, ids)) : mine;
  db.update(meetingReminders).set({ seenAt: at }).where(and(where, isNull(meetingReminders.seenAt))).run();
}

/**
 * Shown reminders still to be mailed (a failed send is retried a few times), with their recipient: only to an
 * address, and only for meetings still ahead, so rows that will never be mailed are not read again every tick.
 */
export const pendingMail = (db: Db, maxAttempts: number, nowIso: string) =>
  db
    .select({ r: meetingReminders, fullName: users.fullName, email: users.email })
    .from(meetingReminders)
    .innerJoin(users, eq(users.id, meetingReminders.userId))
    .where(
      and(
        eq(meetingReminders.shown, true),
        isNull(meetingReminders.emailedAt),
        isNotNull(users.email),
        lt(meetingReminders.emailAttempts, maxAttempts),
        gt(meetingReminders.startsAt, nowIso),
      ),
    )
    .all();

export function recordMail(db: Db, id: number, ok: boolean, at: string): void {
  db.update(meetingReminders).set({ emailAttempts: sql`${meetingReminders.emailAttempts} + 1`, ...(ok && { emailedAt: at }) }).where(eq(meetingReminders.id, id)).run();
}

/** E-mail addresses and names of some users (for the new-material notice). */
export const contacts = (db: Db, userIds: number[]): Recipient[] =>
  userIds.length ? db.select({ userId: users.id, fullName: users.fullName, email: users.email }).from(users).where(and(inArray(users.id, userIds), eq(users.active, true))).all() : [];
