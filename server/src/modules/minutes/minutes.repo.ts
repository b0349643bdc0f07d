/** Database access for minutes versions, their draft fields and the per-province header settings. */
import { and, asc, desc, eq, max } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import type { minutes, minutesSettings } from './minutes.schema.ts';

export type MinutesRow = typeof minutes.$inferSelect;
export type SettingsRow = typeof minutesSettings.$inferSelect;

export async function latest({ q, t }: Store, meetingId: number): Promise<MinutesRow | undefined> {
  const [row] = await q.select().from(t.minutes).where(eq(t.minutes.meetingId, meetingId)).orderBy(desc(t.minutes.version)).limit(1);
  return row;
}

export async function versionOf({ q, t }: Store, meetingId: number, version: number): Promise<MinutesRow | undefined> {
  const [row] = await q.select().from(t.minutes).where(and(eq(t.minutes.meetingId, meetingId), eq(t.minutes.version, version)));
  return row;
}

export const listVersions = ({ q, t }: Store, meetingId: number): Promise<MinutesRow[]> =>
  q.select().from(t.minutes).where(eq(t.minutes.meetingId, meetingId)).orderBy(asc(t.minutes.version));

/**
 * Adds a version; undefined when that version exists already (the unique (meeting, version) keeps
 * the first writer's). No failed insert: on PostgreSQL that would abort the caller's transaction.
 */
export async function insertVersion({ q, t }: Store, meetingId: number, version: number, by: number, changeNote: string | null): Promise<MinutesRow | undefined> {
  const [row] = await q.insert(t.minutes).values({ meetingId, version, createdBy: by, changeNote }).onConflictDoNothing().returning();
  return row;
}

export async function updateMinutes({ q, t }: Store, id: number, patch: Partial<MinutesRow>): Promise<void> {
  await q.update(t.minutes).set(patch).where(eq(t.minutes.id, id));
}

export interface FieldValue {
  value: string;
  version: number;
}

/** The current value and version of every field of a minutes version. */
export async function currentFields({ q, t }: Store, minutesId: number): Promise<Record<string, FieldValue>> {
  const f = t.minutesFields;
  const latestOf = q
    .select({ field: f.field, v: max(f.version).as('v') })
    .from(f)
    .where(eq(f.minutesId, minutesId))
    .groupBy(f.field)
    .as('latest');
  const rows = await q
    .select({ field: f.field, value: f.value, version: f.version })
    .from(f)
    .innerJoin(latestOf, and(eq(latestOf.field, f.field), eq(latestOf.v, f.version)))
    .where(eq(f.minutesId, minutesId));
  return Object.fromEntries(rows.map((r) => [r.field, { value: r.value, version: r.version }]));
}

export async function fieldAt({ q, t }: Store, minutesId: number, field: string, version: number): Promise<string | undefined> {
  const f = t.minutesFields;
  const [row] = await q
    .select({ value: f.value })
    .from(f)
    .where(and(eq(f.minutesId, minutesId), eq(f.field, field), eq(f.version, version)));
  return row?.value;
}

/** Appends a field version; the primary key refuses a second writer of the same version. */
export async function insertField({ q, t }: Store, minutesId: number, field: string, version: number, value: string, by: number | null): Promise<void> {
  await q.insert(t.minutesFields).values({ minutesId, field, version, value, by });
}

export async function getSettings({ q, t }: Store, unitId: number): Promise<SettingsRow | undefined> {
  const [row] = await q.select().from(t.minutesSettings).where(eq(t.minutesSettings.unitId, unitId));
  return row;
}

export async function putSettings({ q, t }: Store, row: SettingsRow): Promise<void> {
  const { style, superior, issuer, symbol, place } = row;
  await q.insert(t.minutesSettings).values(row).onConflictDoUpdate({ target: t.minutesSettings.unitId, set: { style, superior, issuer, symbol, place } });
}
