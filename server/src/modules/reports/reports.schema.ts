/**
 * Report tables: what the reports need that the live modules do not record.
 * `unit_distances` is the admin-editable road distance of each unit to its
 * province seat; `meeting_attendance` is the per-bridge attendance summary of
 * a held meeting (written for the seeded history, and by recordAttendance in
 * reports.repo.ts when the minutes are finalised).
 */
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';
import { bridgePoints, meetings, units } from '../../db/schema.ts';

export const unitDistances = sqliteTable('unit_distances', {
  unitId: integer('unit_id')
    .primaryKey()
    .references(() => units.id, { onDelete: 'cascade' }),
  /** One-way road distance to the province seat, km. */
  km: real('km').notNull(),
  updatedAt: text('updated_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

export const meetingAttendance = sqliteTable(
  'meeting_attendance',
  {
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    bridgePointId: integer('bridge_point_id')
      .notNull()
      .references(() => bridgePoints.id),
    connected: integer('connected', { mode: 'boolean' }).notNull(),
    /** Delegates invited at this bridge point, counted when the summary was written. */
    invited: integer('invited').notNull(),
    /** Delegates who attended at this bridge point. */
    attended: integer('attended').notNull(),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.bridgePointId] })],
);
