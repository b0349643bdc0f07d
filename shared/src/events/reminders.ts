/**
 * Reminders (nhắc họp) before a meeting's start, for invited delegates and
 * bridge operators: kept as a list shown on the next sign-in (HTTP) and pushed
 * live to the user's sockets. Reminders change over HTTP only, so no commands.
 */
import Type, { type Static } from 'typebox';

const Id = Type.Integer({ minimum: 1 });

export const ReminderNotice = Type.Object({
  id: Id,
  meetingId: Id,
  meetingTitle: Type.String(),
  /** The meeting's start (ISO 8601) when the reminder was sent. */
  startsAt: Type.String(),
  /** Where the meeting is held (the chairing unit's hall). */
  place: Type.String(),
  /** Which configured offset before the start this reminder is (minutes). */
  offsetMinutes: Type.Integer({ minimum: 1 }),
  createdAt: Type.String(),
});
export type ReminderNotice = Static<typeof ReminderNotice>;

export const remindersBroadcasts = {
  /** To every socket of the reminded user, whatever meeting it joined. */
  'meeting:reminded': ReminderNotice,
};
