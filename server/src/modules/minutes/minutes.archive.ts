/**
 * The archive: ended meetings with their minutes' state, searchable by
 * title, date, unit and the text of the conclusions. Matching folds
 * Vietnamese (diacritics and đ), so "ket luan" finds "kết luận".
 */
import { and, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { searchKey } from '@diemcau/shared';
import type { Store } from '../../db/database.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import * as repo from './minutes.repo.ts';

export interface ArchiveQuery {
  q?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  unitId?: number | undefined;
}

export async function listArchive(s: Store, user: AuthUser, query: ArchiveQuery, textOf: (s: Store, minutes: repo.MinutesRow | undefined) => Promise<string>) {
  const { meetings, units } = s.t;
  const where: SQL[] = [inArray(meetings.status, ['ended', 'archived'])];
  if (user.role !== 'admin') where.push(eq(units.provinceId, user.provinceId ?? -1));
  if (query.from) where.push(gte(meetings.startsAt, new Date(query.from).toISOString()));
  if (query.to) where.push(lt(meetings.startsAt, new Date(query.to).toISOString()));
  if (query.unitId) where.push(eq(meetings.chairUnitId, query.unitId));
  const rows = await s.q
    .select({ id: meetings.id, title: meetings.title, startsAt: meetings.startsAt, endsAt: meetings.endsAt, status: meetings.status, unitId: units.id, unit: units.name })
    .from(meetings)
    .innerJoin(units, eq(units.id, meetings.chairUnitId))
    .where(and(...where))
    .orderBy(desc(meetings.startsAt))
    .limit(500);
  const words = searchKey(query.q ?? '').split(' ').filter(Boolean);
  const out = [];
  for (const r of rows) {
    const m = await repo.latest(s, r.id);
    const conclusions = await textOf(s, m);
    if (words.length) {
      const hay = searchKey(`${r.title} ${r.unit} ${r.startsAt.slice(0, 10)} ${conclusions}`);
      if (!words.every((w) => hay.includes(w))) continue;
    }
    out.push({ ...r, minutes: m ? { version: m.version, status: m.status, finalisedAt: m.finalisedAt } : null, excerpt: conclusions.slice(0, 200) });
  }
  return out;
}
