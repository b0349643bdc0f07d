/**
 * The report as served and exported: figures for the period and the one
 * before it, with unit names, the rates used and the method of each figure.
 */
import type { Store } from '../../db/database.ts';
import { notFound, badRequest } from '../../lib/app-error.ts';
import { buildReport, METHODS, previousPeriod, type Rates, type Report } from './reports.compute.ts';
import { loadFacts, loadUnits, type Scope } from './reports.repo.ts';

export interface ReportView extends Report {
  unit: { id: number; name: string; level: string };
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  rates: Rates;
  districtNames: Record<number, string>;
  methods: typeof METHODS;
}

export async function getReport(s: Store, scope: Scope, rates: Rates): Promise<ReportView> {
  if (!(Date.parse(scope.to) > Date.parse(scope.from))) throw badRequest('to must be after from');
  const units = await loadUnits(s);
  const unit = units.get(scope.unitId);
  if (!unit) throw notFound('Unit');
  const prev = previousPeriod(scope.from, scope.to);
  const report = buildReport(await loadFacts(s, scope, units), await loadFacts(s, { ...scope, ...prev }, units), rates);
  return {
    ...report,
    unit: { id: unit.id, name: unit.name, level: unit.level },
    period: { from: scope.from, to: scope.to },
    previousPeriod: prev,
    rates,
    districtNames: Object.fromEntries(report.districts.map((d) => [d.districtId, units.get(d.districtId)?.name ?? String(d.districtId)])),
    methods: METHODS,
  };
}
