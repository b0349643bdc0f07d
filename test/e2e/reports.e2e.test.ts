/**
 * The report page in real Chromium on the demo year: the secretariat opens
 * it, the four charts render as SVG with data, the figures match the API,
 * and the PDF and XLSX exports (downloaded through the page's links) carry
 * the same figures. Screenshots in test-output/e2e/; axe must find nothing serious.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatFigure } from '../../server/src/modules/reports/reports.export.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, shot, shotBoth } from './helpers/browser.ts';
import { openPage, signIn, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

let srv: E2EServer;
let browser: Browser;
let o: Opened;
let page: Page;
const log = new NetworkLog();

describe('the report page in the browser', () => {
  beforeAll(async () => {
    srv = await startServer({ seedReportHistory: true });
    browser = await launchChromium();
    o = await openPage(browser, DESKTOP, log, srv.url);
    page = o.page;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('shows the demo year with charts and figures matching the API, and exports PDF and XLSX', async () => {
    await signIn(page, 'vanphong');
    // Listen before the click: the page may fetch the report before waitForURL returns.
    const apiResponse = page.waitForResponse((r) => r.url().includes('/api/reports?'), { timeout: 120_000 });
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await page.waitForURL((u) => u.pathname === '/reports');
    const reportUrl = (await apiResponse).url();
    const api = await (await page.context().request.get(reportUrl)).json();
    expect(api.current.meetings).toBeGreaterThan(100);

    // Every chart is an SVG with one mark per data point (bars or line symbols drawn as paths).
    const charts = page.locator('.report-chart');
    await expect.poll(() => charts.count(), { timeout: 30_000 }).toBe(4);
    for (let i = 0; i < 4; i++) {
      await expect.poll(() => charts.nth(i).locator('svg path').count(), { timeout: 30_000 }).toBeGreaterThan(Number(await charts.nth(i).getAttribute('data-points')));
    }
    const row = (k: string) => page.locator(`tr[data-figure="${k}"] td`).first();
    expect((await row('meetings').textContent())?.trim()).toBe(formatFigure('meetings', api.current.meetings));
    expect((await row('totalSavingVnd').textContent())?.trim()).toBe(formatFigure('totalSavingVnd', api.current.totalSavingVnd));
    await shot(page, 'reports', 'desktop');
    await shotBoth(page, 'reports-both');
    expect(await seriousViolations(page)).toEqual([]);

    const [pdf] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('link', { name: 'Xuất PDF' }).click()]);
    const pdfText = execFileSync('pdftotext', ['-layout', (await pdf.path())!, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(pdfText).toContain(`Số cuộc họp: ${formatFigure('meetings', api.current.meetings)}`);
    expect(pdfText).toContain(`Tiết kiệm giấy và in (VND): ${formatFigure('paperSavingVnd', api.current.paperSavingVnd)}`);
    expect(pdfText).toContain('Tiết kiệm theo tháng');

    const [xlsx] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('link', { name: 'Xuất Excel' }).click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer);
    const values = new Map<string, unknown>();
    wb.getWorksheet('Báo cáo')!.eachRow((r) => values.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(values.get('Số cuộc họp')).toBe(api.current.meetings);
    expect(values.get('Đại biểu họp tại chỗ (không đi lại)')).toBe(api.current.joinedLocally);
    expect(o.errors).toEqual([]);
  }, 240_000);
});
