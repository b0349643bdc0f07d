/**
 * A delegate's home bridge point: the hall they attend from, used when they
 * are invited (they are seated there unless the secretariat says otherwise),
 * and so by roll-call and turnout per level and per bridge point.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Store } from '../../db/database.ts';
import { notFound } from '../../lib/app-error.ts';

/** The bridge point of the delegate's own unit (the lowest id when it has several); null when it has none. */
export async function homeBridgeOfUnit({ q, t }: Store, unitId: number | null): Promise<number | null> {
  if (unitId === null) return null;
  const { bridgePoints } = t;
  const [bp] = await q.select({ id: bridgePoints.id }).from(bridgePoints).where(eq(bridgePoints.unitId, unitId)).orderBy(asc(bridgePoints.id)).limit(1);
  return bp?.id ?? null;
}

/** Checks a chosen home bridge point exists in the province (null: no home bridge). */
export async function assertHomeBridge({ q, t }: Store, bridgePointId: number | null, provinceId: number | null): Promise<void> {
  if (bridgePointId === null) return;
  const { bridgePoints, units } = t;
  const [found] = await q
    .select({ id: bridgePoints.id })
    .from(bridgePoints)
    .innerJoin(units, eq(units.id, bridgePoints.unitId))
    .where(and(eq(bridgePoints.id, bridgePointId), provinceId === null ? undefined : eq(units.provinceId, provinceId)));
  if (!found) throw notFound('Home bridge point (in this province)');
}
