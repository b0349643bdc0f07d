import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, login, type TestApp } from '../../helpers/app.ts';
import { formatFigure } from '../../../server/src/modules/reports/reports.export.ts';

let t: TestApp;
let sec: Record<string, string>;
let admin: Record<string, string>;
let provinceId: number;
// The demo history covers the 12 whole months before now.
const now = new Date();
const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 12, 1)).toISOString();
const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
const q = (unitId: number) => `unitId=${unitId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

beforeAll(async () => {
  t = await buildTestApp({ config: { seedReportHistory: true } });
  sec = bearer(await login(t.app, 'vanphong'));
  admin = bearer(await login(t.app, 'admin'));
  provinceId = (await t.app.inject({ url: '/api/auth/me', headers: sec })).json().provinceId;
}, 60_000);
afterAll(() => t?.close());

describe('reports API on the demo year', () => {
  it('reports real-looking figures for the province from the seeded history, fast', async () => {
    const started = performance.now();
    const res = await t.app.inject({ url: `/api/reports?${q(provinceId)}`, headers: sec });
    const ms = performance.now() - started;
    expect(res.statusCode).toBe(200);
    const r = res.json();
    console.log(`report for the demo year (213 bridge points, ${r.current.meetings} meetings): ${ms.toFixed(0)} ms`);
    expect(r.current.meetings).toBeGreaterThan(100);
    expect(r.current.onlineShare).toBeGreaterThan(0.2);
    expect(r.current.onlineShare).toBeLessThan(1);
    expect(r.current.bridgesConnected).toBeGreaterThan(r.current.meetings);
    expect(r.current.joinedLocally).toBeGreaterThan(0);
    expect(r.current.copiesAvoided).toBeGreaterThan(r.current.pages);
    expect(r.current.travelSavingVnd).toBeGreaterThan(0);
    expect(r.months.length).toBeGreaterThanOrEqual(12);
    expect(r.districts).toHaveLength(11);
    expect(r.methods.copiesAvoided).toMatch(/trang/);
    // The previous year has no history: the comparison is with zeros, not an error.
    expect(r.previous.meetings).toBe(0);
  });

  it('a district report covers only that district and its communes', async () => {
    const units = (await t.app.inject({ url: '/api/units', headers: sec })).json() as { id: number; level: string }[];
    const district = units.find((u) => u.level === 'district')!;
    const [whole, one] = await Promise.all([provinceId, district.id].map(async (id) => (await t.app.inject({ url: `/api/reports?${q(id)}`, headers: sec })).json()));
    expect(one.unit.id).toBe(district.id);
    expect(one.current.meetings).toBeGreaterThan(0);
    expect(one.current.meetings).toBeLessThanOrEqual(whole.current.meetings);
    expect(one.current.bridgesByLevel.provincial).toBe(0);
    expect(one.current.bridgesConnected).toBe(whole.districts.find((d: { districtId: number }) => d.districtId === district.id).bridgesConnected);
  });

  it('only the secretariat and the admin see reports; bad input is a typed 400', async () => {
    const del = bearer(await login(t.app, 'daibieu01'));
    expect((await t.app.inject({ url: `/api/reports?${q(provinceId)}`, headers: del })).statusCode).toBe(403);
    const bad = await t.app.inject({ url: `/api/reports?unitId=${provinceId}&from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, headers: sec });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    expect((await t.app.inject({ url: `/api/reports?unitId=999999&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: sec })).statusCode).toBe(404);
  });

  it('the admin edits a unit distance and the travel saving follows', async () => {
    const list = (await t.app.inject({ url: '/api/reports/distances', headers: sec })).json() as { unitId: number; level: string; km: number }[];
    const district = list.find((u) => u.level === 'district')!;
    expect(district.km).toBeGreaterThan(0);
    const before = (await t.app.inject({ url: `/api/reports?${q(provinceId)}`, headers: sec })).json();
    expect((await t.app.inject({ method: 'PUT', url: `/api/reports/distances/${district.unitId}`, headers: sec, payload: { km: 500 } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'PUT', url: `/api/reports/distances/${district.unitId}`, headers: admin, payload: { km: -1 } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url: `/api/reports/distances/${district.unitId}`, headers: admin, payload: { km: district.km + 100 } })).statusCode).toBe(200);
    const after = (await t.app.inject({ url: `/api/reports?${q(provinceId)}`, headers: sec })).json();
    expect(after.current.travelKmAvoided).toBeGreaterThan(before.current.travelKmAvoided);
    expect(after.current.paperSavingVnd).toBe(before.current.paperSavingVnd);
    await t.app.inject({ method: 'PUT', url: `/api/reports/distances/${district.unitId}`, headers: admin, payload: { km: district.km } });
  });

  it('exports XLSX and PDF with the same figures and their methods', async () => {
    const r = (await t.app.inject({ url: `/api/reports?${q(provinceId)}`, headers: sec })).json();
    const x = await t.app.inject({ url: `/api/reports/export.xlsx?${q(provinceId)}`, headers: sec });
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Báo cáo')!;
    const rows = new Map<string, unknown[]>();
    ws.eachRow((row) => rows.set(String(row.getCell(1).value), [row.getCell(2).value, row.getCell(3).value, row.getCell(4).value]));
    expect(rows.get('Số cuộc họp')![0]).toBe(r.current.meetings);
    expect(rows.get('Tổng tiết kiệm (VND)')![0]).toBe(r.current.totalSavingVnd);
    expect(rows.get('Số trang lẽ ra phải in')![2]).toBe(r.methods.copiesAvoided);
    expect(wb.getWorksheet('Theo tháng')!.rowCount).toBe(r.months.length + 1);

    const p = await t.app.inject({ url: `/api/reports/export.pdf?${q(provinceId)}`, headers: sec });
    expect(p.statusCode).toBe(200);
    expect(p.headers['content-type']).toMatch(/pdf/);
    const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
    writeFileSync(join(dir, 'r.pdf'), p.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain(`Số cuộc họp: ${formatFigure('meetings', r.current.meetings)}`);
    expect(text).toContain(`Tổng tiết kiệm (VND): ${formatFigure('totalSavingVnd', r.current.totalSavingVnd)}`);
    expect(text).toContain('Cách tính:');
    expect(text).toContain('Số cuộc họp theo tháng');
  });
});
