/** Database access for minutes versions, their draft fields and the per-province header settings. */
import { and, asc, desc, eq, max } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { minutes, minutesFields, minutesSettings } from './minutes.schema.ts';

export type MinutesRow = typeof minutes.$inferSelect;
export type SettingsRow = typeof minutesSettings.$inferSelect;
type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

export const latest = (db: Tx, meetingId: number): MinutesRow | undefined =>
  db.select().from(minutes).where(eq(minutes.meetingId, meetingId)).orderBy(desc(minutes.version)).limit(1).get();

export const versionOf = (db: Tx, meetingId: number, version: number): MinutesRow | undefined =>
  db.select().from(minutes).where(and(eq(minutes.meetingId, meetingId), eq(minutes.version, version))).get();

export const listVersions = (db: Tx, meetingId: number): MinutesRow[] =>
  db.select().from(minutes).where(eq(minutes.meetingId, meetingId)).orderBy(asc(minutes.version)).all();

export function insertVersion(db: Tx, meetingId: number, version: number, by: number, changeNote: string | null): MinutesRow {
  return db.insert(minutes).values({ meetingId, version, createdBy: by, changeNote }).returning().get();
}

export const updateMinutes = (db: Tx, id: number, patch: Partial<MinutesRow>) => db.update(minutes).set(patch).where(eq(minutes.id, id)).run();

export interface FieldValue {
  value: string;
  version: number;
}

/** The current value and version of every field of a minutes version. */
export function currentFields(db: Tx, minutesId: number): Record<string, FieldValue> {
  const latestOf = db
    .select({ field: minutesFields.field, v: max(minutesFields.version).as('v') })
    .from(minutesFields)
    .where(eq(minutesFields.minutesId, minutesId))
    .groupBy(minutesFields.field)
    .as('latest');
  const rows = db
    .select({ field: minutesFields.field, value: minutesFields.value, version: minutesFields.version })
    .from(minutesFields)
    .innerJoin(latestOf, and(eq(latestOf.field, minutesFields.field), eq(latestOf.v, minutesFields.version)))
    .where(eq(minutesFields.minutesId, minutesId))
    .all();
  return Object.fromEntries(rows.map((r) => [r.field, { value: r.value, version: r.version }]));
}

export function fieldAt(db: Tx, minutesId: number, field: string, version: number): string | undefined {
  return db
    .select({ value: minutesFields.value })
    .from(minutesFields)
    .where(and(eq(minutesFields.minutesId, minutesId), eq(minutesFields.field, field), eq(minutesFields.version, version)))
    .get()?.value;
}

/** Appends a field version; the primary key refuses a second writer of the same version. */
export function insertField(db: Tx, minutesId: number, field: string, version: number, value: string, by: number | null): void {
  db.insert(minutesFields).values({ minutesId, field, version, value, by }).run();
}

export const getSettings = (db: Tx, unitId: number): SettingsRow | undefined => db.select().from(minutesSettings).where(eq(minutesSettings.unitId, unitId)).get();

export function putSettings(db: Tx, row: SettingsRow): void {
  const { style, superior, issuer, symbol, place } = row;
  db.insert(minutesSettings).values(row).onConflictDoUpdate({ target: minutesSettings.unitId, set: { style, superior, issuer, symbol, place } }).run();
}
