/** Document steps of the conference test: upload with progress, publish, the printed QR sheet, receipts. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { decodeQrPng, makePdf } from '../../helpers/document-fixtures.ts';

export const DOC_TITLE = 'Dự thảo Nghị quyết sơ kết 6 tháng';

/**
 * Uploads a multi-page PDF through the documents tab (watching the progress
 * bar appear and reach 100 %), then publishes it.
 */
export async function prepareDocument(page: Page, meetingId: number, checkView: (p: Page, name: string) => Promise<void>): Promise<void> {
  await page.goto(`/meetings/${meetingId}?tab=documents`);
  await page.locator('[data-action=doc-upload]').waitFor();
  // Record every progress value the bar shows; a local upload is quick, so a
  // MutationObserver sees what a screenshot might miss.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[role=progressbar]');
      if (bar) seen.push(Number(bar.getAttribute('aria-valuenow')));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  const pdf = await makePdf(3, 'Du thao');
  await page.locator('input[type=file]').setInputFiles({ name: 'du-thao-nghi-quyet.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.getByLabel('Tên tài liệu').fill(DOC_TITLE);
  await page.locator('[data-action=doc-upload]').click();
  await page.getByText('Đã tải lên.', { exact: false }).waitFor();
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.max(...seen)).toBe(100);
  const row = page.locator('.doc-row', { hasText: DOC_TITLE });
  await row.locator('[data-action=doc-publish]').click();
  await expect.poll(() => row.getAttribute('data-status')).toBe('published');
  await checkView(page, 'documents');
}

/**
 * Opens the printable QR sheet, as the secretariat would before printing, and
 * reads the delegate's QR code from the rendered sheet (decoding the image,
 * not reading the HTML), which is what a phone camera would do.
 */
export async function printedQrLink(page: Page, meetingId: number, delegateName: string): Promise<string> {
  await page.goto(`/meetings/${meetingId}?tab=documents`);
  const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.locator('[data-action=qr-sheet]').click()]);
  await sheet.waitForLoadState();
  const card = sheet.locator('section', { hasText: delegateName }).first();
  const png = await card.locator('svg').first().screenshot();
  const url = decodeQrPng(png);
  expect(url, 'the printed QR code decodes').toBeTruthy();
  await sheet.close();
  return url!;
}

/** Total receipts the console's panel shows. */
export async function receiptCount(console: Page): Promise<number> {
  return Number((await console.locator('[data-receipts]').getAttribute('data-receipts')) ?? 0);
}
