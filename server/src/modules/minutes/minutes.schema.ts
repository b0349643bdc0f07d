/**
 * Minutes tables. A meeting's minutes are a series of versions: version 1 is
 * the draft built after the meeting; once finalised it is frozen (its model,
 * the PDF's SHA-256 and the chain heads recorded), and a later change is a new
 * version that says what it changes. Draft text lives per field with its own
 * version history, so secretaries editing different fields never collide and
 * edits of one field are merged against their common base (minutes.merge.ts).
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { meetings, units, users } from '../../db/schema.ts';
import type { Minutes } from './minutes.model.ts';

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export type MinutesStyle = 'party' | 'state';

export const minutes = sqliteTable(
  'minutes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    status: text('status').$type<'draft' | 'final'>().notNull().default('draft'),
    /** For an amendment: what it changes compared with the version before. */
    changeNote: text('change_note'),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: text('created_at').notNull().default(now),
    finalisedBy: integer('finalised_by').references(() => users.id),
    finalisedAt: text('finalised_at'),
    /** The model as printed, frozen at finalising. */
    snapshot: text('snapshot', { mode: 'json' }).$type<{ model: Minutes; fields: Record<string, string>; style: MinutesStyle }>(),
    pdfSha256: text('pdf_sha256'),
    docxSha256: text('docx_sha256'),
    /** Audit chain head just before the finalising entry, as written into that entry. */
    auditHead: text('audit_head'),
  },
  (t) => [uniqueIndex('minutes_meeting_version_uq').on(t.meetingId, t.version), index('minutes_status_ix').on(t.status)],
);

/** Every saved value of every draft field; the current value is the highest version. */
export const minutesFields = sqliteTable(
  'minutes_fields',
  {
    minutesId: integer('minutes_id')
      .notNull()
      .references(() => minutes.id, { onDelete: 'cascade' }),
    field: text('field').notNull(),
    version: integer('version').notNull(),
    value: text('value').notNull(),
    by: integer('by').references(() => users.id),
    at: text('at').notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.minutesId, t.field, t.version] })],
);

/** Per province: which official layout its minutes use and the names printed in the header. */
export const minutesSettings = sqliteTable('minutes_settings', {
  unitId: integer('unit_id')
    .primaryKey()
    .references(() => units.id, { onDelete: 'cascade' }),
  style: text('style').$type<MinutesStyle>().notNull(),
  /** The body above the issuer (Party: "ĐẢNG BỘ TỈNH …"; state: "UBND TỈNH …"). */
  superior: text('superior').notNull(),
  /** The issuing body ("TỈNH ỦY …", "VĂN PHÒNG …"). */
  issuer: text('issuer').notNull(),
  /** Abbreviation in the number and symbol ("BB/TU", "BB-UBND"). */
  symbol: text('symbol').notNull(),
  /** Place name for "…, ngày … tháng … năm …". */
  place: text('place').notNull(),
});
