/**
 * Reminders sent before a meeting. One row per (meeting, user, offset, start
 * time) is the "sent once" record: the scheduler inserts it before notifying,
 * so a restart never sends the same reminder again, while a meeting moved to
 * another start time gets fresh reminders. `seenAt` drives the in-app list;
 * `emailedAt` lets a failed e-mail be retried without a second in-app notice.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { meetings, users } from '../../db/schema.ts';

export const meetingReminders = sqliteTable(
  'meeting_reminders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id').notNull().references(() => meetings.id, { onDelete: 'cascade' }),
    userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    offsetMinutes: integer('offset_minutes').notNull(),
    /** The meeting's start this reminder was for. */
    startsAt: text('starts_at').notNull(),
    createdAt: text('created_at').notNull(),
    /** False when a later reminder was due at the same time (after downtime): recorded, not shown. */
    shown: integer('shown', { mode: 'boolean' }).notNull().default(true),
    seenAt: text('seen_at'),
    emailedAt: text('emailed_at'),
    emailAttempts: integer('email_attempts').notNull().default(0),
  },
  (t) => [
    uniqueIndex('meeting_reminders_uq').on(t.meetingId, t.userId, t.offsetMinutes, t.startsAt),
    index('meeting_reminders_user_ix').on(t.userId, t.seenAt),
  ],
);
export type ReminderRow = typeof meetingReminders.$inferSelect;
