/** Document steps of the conference test: upload with progress, publish, a confidential document, the printed QR sheet, receipts. */
import type { Page } from 'playwright-core';
import type { Classification } from '@diemcau/shared';
import { expect } from 'vitest';
import { decodeQrPng, makePdf } from '../../helpers/document-fixtures.ts';

export const DOC_TITLE = 'Dự thảo Nghị quyết sơ kết 6 tháng';
export const CONFIDENTIAL_TITLE = 'Báo cáo mật về công tác cán bộ';
export const RESTRICTED_TITLE = 'Hướng dẫn kỹ thuật cho điểm cầu';

/** Chooses a generated PDF in the documents tab's upload form, names it and uploads it. */
async function uploadPdf(page: Page, o: { fileName: string; title: string; pages: number; label: string; classification?: Classification }): Promise<void> {
  const pdf = await makePdf(o.pages, o.label);
  await page.locator('input[type=file]').setInputFiles({ name: o.fileName, mimeType: 'application/pdf', buffer: pdf });
  await page.getByLabel('Tên tài liệu').fill(o.title);
  // The upload form's select (a draft's row has one of its own, named after the document).
  if (o.classification) await page.getByRole('form', { name: 'Tải tài liệu lên' }).getByLabel('Độ mật').selectOption(o.classification);
  await page.locator('[data-action=doc-upload]').click();
  await page.getByText('Đã tải lên.', { exact: false }).waitFor();
}

/** Publishes the uploaded document titled `title`; returns its id. */
async function publish(page: Page, title: string): Promise<number> {
  const row = page.locator('.doc-row', { hasText: title });
  await row.locator('[data-action=doc-publish]').click();
  await expect.poll(() => row.getAttribute('data-status')).toBe('published');
  return Number(await row.getAttribute('data-document'));
}

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
  await uploadPdf(page, { fileName: 'du-thao-nghi-quyet.pdf', title: DOC_TITLE, pages: 3, label: 'Du thao' });
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.max(...seen)).toBe(100);
  await publish(page, DOC_TITLE);
  await checkView(page, 'documents');
}

/** Uploads a two-page PDF classified "Mật" (confidential) and publishes it; returns its id. */
export async function prepareConfidentialDocument(page: Page, meetingId: number): Promise<number> {
  await page.goto(`/meetings/${meetingId}?tab=documents`);
  await page.locator('[data-action=doc-upload]').waitFor();
  await uploadPdf(page, { fileName: 'bao-cao-mat.pdf', title: CONFIDENTIAL_TITLE, pages: 2, label: 'Bao cao mat', classification: 'confidential' });
  const row = page.locator('.doc-row', { hasText: CONFIDENTIAL_TITLE });
  await row.locator('.tag-confidential').waitFor();
  return publish(page, CONFIDENTIAL_TITLE);
}

/**
 * Uploads a PDF classified "Hạn chế" (restricted) for bridge operators only,
 * through the audience checkboxes, and publishes it; returns its id.
 */
export async function prepareRestrictedDocument(page: Page, meetingId: number, unitBoxes: number, checkView: (p: Page, name: string) => Promise<void>): Promise<number> {
  await page.goto(`/meetings/${meetingId}?tab=documents`);
  await page.locator('[data-action=doc-upload]').waitFor();
  const pdf = await makePdf(1, 'Huong dan');
  await page.locator('input[type=file]').setInputFiles({ name: 'huong-dan.pdf', mimeType: 'application/pdf', buffer: pdf });
  await page.getByLabel('Tên tài liệu').fill(RESTRICTED_TITLE);
  const form = page.getByRole('form', { name: 'Tải tài liệu lên' });
  await form.getByLabel('Độ mật').selectOption('restricted');
  // The audience can also be units: one box per invited bridge point's unit.
  await form.getByText('Theo đơn vị (điểm cầu)').click();
  expect(await form.locator('.audience-units input[type=checkbox]').count()).toBe(unitBoxes);
  // Delegates are ticked by default, and the last ticked box cannot be cleared: the form says so.
  const delegates = form.getByRole('checkbox', { name: 'Đại biểu', exact: true });
  await delegates.click();
  await form.getByText('cần ít nhất một đối tượng').waitFor();
  expect(await delegates.isChecked()).toBe(true);
  await form.getByRole('checkbox', { name: 'Điểm cầu', exact: true }).check();
  await delegates.uncheck();
  await checkView(page, 'documents-restricted-audience');
  await page.locator('[data-action=doc-upload]').click();
  await page.getByText('Đã tải lên.', { exact: false }).waitFor();
  const row = page.locator('.doc-row', { hasText: RESTRICTED_TITLE });
  await expect.poll(() => row.locator('[data-audience] input:checked').count()).toBe(1);
  return publish(page, RESTRICTED_TITLE);
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
