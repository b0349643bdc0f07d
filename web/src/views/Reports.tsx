import { useEffect, useRef, useState } from 'preact/hooks';
import { request, api } from '../lib/api.ts';
import { t, type MsgKey } from '../lib/i18n.ts';
import { useAsync } from '../lib/use-async.ts';
import { ErrorBox, Field, Loading } from '../components/ui.tsx';
import type { ChartSpec } from './report-charts.ts';
import { usePageTitle } from '../lib/page-title.ts';

type Figures = Record<string, number> & { bridgesByLevel: Record<'provincial' | 'district' | 'commune', number> };
interface ReportData {
  unit: { id: number; name: string };
  current: Figures;
  previous: Figures;
  months: { month: string; meetings: number; onlineShare: number; savingVnd: number }[];
  districts: { districtId: number; savingVnd: number }[];
  districtNames: Record<string, string>;
  methods: Record<string, string>;
}

const KEYS = [
  'meetings', 'onlineOrHybrid', 'onlineShare', 'hours', 'bridgesConnected', 'bridgesPerMeeting', 'invited', 'attended', 'attendanceRate',
  'joinedLocally', 'documents', 'pages', 'copiesAvoided', 'qrPickups', 'downloads', 'pickedUpBeforeStartShare', 'paperSavingVnd',
  'travelKmAvoided', 'travelSavingVnd', 'travelHoursAvoided', 'totalSavingVnd', 'polls', 'pollTurnout',
] as const;
const SHARES = new Set<string>(['onlineShare', 'attendanceRate', 'pickedUpBeforeStartShare', 'pollTurnout']);
const fmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const show = (k: string, v: number) => (SHARES.has(k) ? `${fmt.format(v * 100)}%` : fmt.format(v));

/** Month starts in Vietnam time (00:00 +07:00) as ISO instants. */
const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1) - 7 * 3600_000).toISOString();
function periodOf(preset: string): { from: string; to: string } {
  const now = new Date(Date.now() + 7 * 3600_000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (preset === 'quarter') {
    const q = Math.floor(m / 3) * 3;
    return { from: monthStart(y, q - 3), to: monthStart(y, q) };
  }
  return { from: monthStart(y, m - 12), to: monthStart(y, m) };
}

function Chart({ spec }: { spec: ChartSpec }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let dispose: (() => void) | null = null;
    let gone = false;
    void import('./report-charts.ts').then((c) => {
      if (!gone && el.current) dispose = c.drawChart(el.current, spec);
    });
    return () => {
      gone = true;
      dispose?.();
    };
  }, [JSON.stringify(spec)]);
  return <div ref={el} class="report-chart" role="img" aria-label={spec.title} data-points={spec.values.length} />;
}

/** Secretariat and admin: usage and savings for a period and unit, against the previous period. */
export function Reports() {
  usePageTitle(t('report.title'));
  const units = useAsync(() => api.units(), []);
  const [unitId, setUnitId] = useState<number | null>(null);
  const [preset, setPreset] = useState('year');
  const province = units.data?.find((u) => u.parentId === null);
  const chosen = unitId ?? province?.id ?? null;
  const { from, to } = periodOf(preset);
  const qs = chosen ? `unitId=${chosen}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : '';
  const report = useAsync(() => (qs ? request<ReportData>('GET', `/api/reports?${qs}`) : Promise.resolve(undefined)), [qs]);
  const r = report.data;
  const mLabel = (m: string) => `${m.slice(5)}/${m.slice(2, 4)}`;
  const charts: ChartSpec[] = r
    ? [
        { title: t('report.chart.meetings'), labels: r.months.map((m) => mLabel(m.month)), values: r.months.map((m) => m.meetings), kind: 'bar' },
        { title: t('report.chart.online'), labels: r.months.map((m) => mLabel(m.month)), values: r.months.map((m) => Math.round(m.onlineShare * 100)), kind: 'line', unit: '%' },
        { title: t('report.chart.savings'), labels: r.months.map((m) => mLabel(m.month)), values: r.months.map((m) => Math.round(m.savingVnd / 1e6)), kind: 'bar' },
        {
          title: t('report.chart.districts'),
          labels: r.districts.map((d) => (r.districtNames[d.districtId] ?? '').replace(/^(Huyện|Thị xã|Thành phố) /, '')),
          values: r.districts.map((d) => Math.round(d.savingVnd / 1e6)),
          kind: 'bar',
        },
      ]
    : [];
  return (
    <main id="main" class="page report-page">
      <div class="page-head">
        <h1>{t('report.title')}</h1>
        {r && (
          <div class="report-exports">
            <a class="btn" href={`/api/reports/export.pdf?${qs}`} download>
              {t('report.pdf')}
            </a>
            <a class="btn" href={`/api/reports/export.xlsx?${qs}`} download>
              {t('report.xlsx')}
            </a>
          </div>
        )}
      </div>
      <div class="report-filters">
        <Field label={t('report.unit')}>
          <select value={chosen ?? ''} onChange={(e) => setUnitId(Number((e.target as HTMLSelectElement).value))}>
            {(units.data ?? [])
              .filter((u) => u.level !== 'commune' || u.id === chosen)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
          </select>
        </Field>
        <Field label={t('report.period')}>
          <select value={preset} onChange={(e) => setPreset((e.target as HTMLSelectElement).value)}>
            <option value="year">{t('report.period.year')}</option>
            <option value="quarter">{t('report.period.quarter')}</option>
          </select>
        </Field>
      </div>
      <ErrorBox error={units.error ?? report.error} onRetry={report.reload} />
      {!r ? (
        <Loading />
      ) : (
        <>
          <p class="muted">
            {r.unit.name} · {from.slice(0, 10)} – {to.slice(0, 10)}
          </p>
          <div class="report-charts">
            {charts.map((c) => (
              <Chart key={c.title} spec={c} />
            ))}
          </div>
          <table class="report-table">
            <thead>
              <tr>
                <th scope="col">{t('report.figure')}</th>
                <th scope="col">{t('report.current')}</th>
                <th scope="col">{t('report.previous')}</th>
              </tr>
            </thead>
            <tbody>
              {KEYS.map((k) => (
                <tr key={k} data-figure={k}>
                  <th scope="row">
                    {t(`report.f.${k}` as MsgKey)}
                    <small class="report-method">{r.methods[k]}</small>
                  </th>
                  <td>{show(k, r.current[k]!)}</td>
                  <td>{show(k, r.previous[k]!)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
