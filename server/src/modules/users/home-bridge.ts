/**
 * A delegate's home bridge point: the hall they attend from, used when they
 * are invited (they are seated there unless the secretariat says otherwise),
 * and so by roll-call and turnout per level and per bridge point.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { bridgePoints, units } from '../../db/schema.ts';
import { notFound } from '../../lib/app-error.ts';

/** The bridge point of the delegate's own unit (the lowest id when it has several); null when it has none. */
export function homeBridgeOfUnit(db: Pick<Db, 'select'>, unitId: number | null): number | null {
  if (unitId === null) return null;
  return db.select({ id: bridgePoints.id }).from(bridgePoints).where(eq(bridgePoints.unitId, unitId)).orderBy(asc(bridgePoints.id)).get()?.id ?? null;
}

/** Checks a chosen home bridge point exists in the province (null: no home bridge). */
export function assertHomeBridge(db: Pick<Db, 'select'>, bridgePointId: number | null, provinceId: number | null): void {
  if (bridgePointId === null) return;
  const found = db
    .select({ id: bridgePoints.id })
    .from(bridgePoints)
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(and(eq(bridgePoints.id, bridgePointId), provinceId === null ? undefined : eq(units.provinceId, provinceId)))
    .get();
  if (!found) throw notFound('Home bridge point (in this province)');
}
