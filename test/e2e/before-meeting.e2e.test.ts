/**
 * After sign-in the home page lists reminders and new materials, new ones arrive live.
 * The secretariat uploads a new version and attaches a document to an agenda item in the
 * Documents tab; the delegate finds it, new version and all, under that agenda item.
 * Sign-in keeps the page the user wanted: a delegate who came in by scanning
 * their QR code taps "Đăng nhập để xem tài liệu mật" on a confidential
 * document, signs in with their password on the phone, and lands on that
 * document's watermarked viewer (not on the home page). The set-up (upload,
 * publish, QR codes) goes through the API; the conference test covers it in the UI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { QrTokenInfo } from '@diemcau/shared';
import { bearer, demoPassword, login } from '../helpers/app.ts';
import { makePdf } from '../helpers/document-fixtures.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, PHONE, shot, shotBoth } from './helpers/browser.ts';
import { openPage, signIn, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

const TITLE = 'Báo cáo mật về quy hoạch cán bộ';
let srv: E2EServer;
let browser: Browser;
let o: Opened;
let phone: Page;
let meetingId = 0;
let docId = 0;
let qrUrl = '';
const log = new NetworkLog();

beforeAll(async () => {
  // A reminder offset longer than the time to the demo meeting (3 days): its reminders are due at start.
  srv = await startServer({ reminderOffsetsMinutes: [5 * 24 * 60] });
  browser = await launchChromium();
  const app = srv.app();
  const staff = bearer(await login(app, 'vanphong'));
  meetingId = (app.db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
  const form = new FormData();
  form.append('title', TITLE);
  form.append('classification', 'confidential');
  form.append('file', new Blob([new Uint8Array(await makePdf(2, 'Bao cao mat'))]), 'bao-cao-mat.pdf');
  const up = await fetch(`${srv.url}/api/meetings/${meetingId}/documents`, { method: 'POST', headers: staff, body: form });
  expect(up.status).toBe(201);
  docId = ((await up.json()) as { id: number }).id;
  expect((await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/documents/${docId}/publish`, headers: staff })).statusCode).toBe(200);
  const tokens = (await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/qr/delegates`, headers: staff })).json() as QrTokenInfo[];
  const delegateId = (app.db.$client.prepare("SELECT id FROM users WHERE username = 'daibieu01'").get() as { id: number }).id;
  qrUrl = tokens.find((t) => t.kind === 'delegate' && t.subjectId === delegateId)!.url;
  o = await openPage(browser, PHONE, log, srv.url);
  phone = o.page;
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('before the meeting, in the browser', () => {
  it('a phone signs in from "Đăng nhập để xem tài liệu mật" and lands on that document\'s viewer', async () => {
    // In by the QR code: the meeting page lists the confidential document with a sign-in button, not a link.
    await phone.goto(qrUrl);
    await phone.getByRole('button', { name: 'Vào phòng họp' }).click();
    await phone.waitForURL(`**/meetings/${meetingId}/delegate`);
    const row = phone.locator(`.doc-row[data-document="${docId}"]`);
    const button = row.getByRole('button', { name: 'Đăng nhập để xem tài liệu mật' });
    await button.waitFor();
    expect(await row.getByRole('link').count()).toBe(0);

    await button.click();
    await phone.waitForURL((u) => u.pathname === '/login');
    const viewer = `/meetings/${meetingId}/documents/${docId}`;
    expect(new URL(phone.url()).searchParams.get('next')).toBe(viewer);
    await phone.getByLabel('Tên đăng nhập').waitFor();
    expect(await seriousViolations(phone)).toEqual([]);
    await shot(phone, 'login-next-confidential', 'phone');

    // The password sign-in returns to the viewer, which shows the watermarked pages.
    await phone.getByLabel('Tên đăng nhập').fill('daibieu01');
    await phone.getByLabel('Mật khẩu').fill(demoPassword('daibieu01'));
    await phone.getByRole('button', { name: 'Đăng nhập' }).click();
    await phone.waitForURL((u) => u.pathname === viewer, { timeout: 30_000 });
    await phone.locator('[data-view=viewer]').waitFor();
    await phone.getByText(TITLE).first().waitFor();
    await phone.getByText('Trang 1/2').waitFor();
    const img = phone.locator('img.viewer-img');
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await seriousViolations(phone)).toEqual([]);
    await shot(phone, 'confidential-viewer-after-login', 'phone');

    // The view was logged against the password session's user.
    const views = srv.app().db.$client.prepare('SELECT COUNT(*) AS n FROM confidential_views WHERE document_id = ?').get(docId) as { n: number };
    expect(views.n).toBeGreaterThan(0);
    expect(o.errors).toEqual([]);
    expect(log.foreign(srv.url), 'only the server is contacted').toEqual([]);
  }, 120_000);

  it('the home page lists the reminder and the new materials after sign-in, a new one arrives live, and they can be dismissed', async () => {
    const app = srv.app();
    const meetingTitle = (app.db.$client.prepare('SELECT title FROM meetings WHERE id = ?').get(meetingId) as { title: string }).title;
    const p = (await openPage(browser, PHONE, log, srv.url)).page;
    await signIn(p, 'daibieu12');
    await p.waitForURL((u) => u.pathname === '/my');
    const notices = p.getByRole('region', { name: 'Thông báo' });
    await notices.getByText(`Nhắc lịch họp: ${meetingTitle}`).waitFor();
    await notices.getByText(`Tài liệu mới: ${TITLE}`).waitFor();
    await shotBoth(p, 'home-notices');
    expect(await seriousViolations(p)).toEqual([]);

    // Published while the page is open: it appears without a reload.
    const staff = bearer(await login(app, 'vanphong'));
    const form = new FormData();
    form.append('title', 'Chương trình hội nghị');
    form.append('file', new Blob([new Uint8Array(await makePdf(1, 'Chuong trinh'))]), 'chuong-trinh.pdf');
    const up = await fetch(`${srv.url}/api/meetings/${meetingId}/documents`, { method: 'POST', headers: staff, body: form });
    expect(up.status).toBe(201);
    const id = ((await up.json()) as { id: number }).id;
    expect((await app.inject({ method: 'POST', url: `/api/meetings/${meetingId}/documents/${id}/publish`, headers: staff })).statusCode).toBe(200);
    await notices.getByText('Tài liệu mới: Chương trình hội nghị').waitFor({ timeout: 30_000 });

    await notices.getByRole('button', { name: 'Đã xem' }).click();
    await notices.waitFor({ state: 'detached' });
    await p.reload();
    await p.getByRole('heading', { name: 'Cuộc họp của tôi' }).waitFor();
    await p.locator('.list-row').first().waitFor();
    expect(await p.getByRole('region', { name: 'Thông báo' }).count()).toBe(0);
  }, 120_000);

  it('the Documents tab uploads a new version and attaches it to an agenda item; the delegate sees it under that item', async () => {
    const app = srv.app();
    const doc = app.db.$client.prepare("SELECT id FROM documents WHERE title = 'Chương trình hội nghị'").get() as { id: number };
    const item = app.db.$client.prepare('SELECT id, title FROM agenda_items WHERE meeting_id = ? ORDER BY position LIMIT 1 OFFSET 1').get(meetingId) as { id: number; title: string };
    const desk = (await openPage(browser, DESKTOP, log, srv.url)).page;
    await signIn(desk, 'vanphong');
    await desk.goto(`/meetings/${meetingId}?tab=documents`);
    const row = desk.locator(`.doc-row[data-document="${doc.id}"]`);
    await row.locator('[data-action=doc-new-version]').click();
    await row.getByLabel('Tải lên phiên bản mới: Chương trình hội nghị').setInputFiles({ name: 'chuong-trinh-v2.pdf', mimeType: 'application/pdf', buffer: await makePdf(3, 'Chuong trinh v2') });
    await row.getByText('bản 2').waitFor({ timeout: 30_000 });
    await row.getByRole('checkbox', { name: `2. ${item.title}` }).check();
    await expect.poll(() => row.getByRole('checkbox', { name: `2. ${item.title}` }).isChecked()).toBe(true);
    await shot(desk, 'documents-version-agenda', 'desktop');
    expect(await seriousViolations(desk)).toEqual([]);

    // The delegate (signed in with the password in the first step) finds it under the agenda item, at its new version.
    await phone.goto(`/meetings/${meetingId}/delegate`);
    const group = phone.locator(`[data-agenda-item="${item.id}"]`);
    await group.getByRole('heading', { name: item.title }).waitFor({ timeout: 30_000 });
    const mine = group.locator(`.doc-row[data-document="${doc.id}"]`);
    await mine.getByText('3 trang').waitFor();
    expect(await mine.getByRole('link', { name: /Tải về/ }).count()).toBe(1);
    await shot(phone, 'delegate-documents-by-agenda', 'phone');
    const detail = (await app.inject({ url: `/api/meetings/${meetingId}/documents/${doc.id}`, headers: bearer(await login(app, 'daibieu01')) })).json() as { versions: { version: number }[] };
    expect(detail.versions.map((v) => v.version).sort()).toEqual([1, 2]);
  }, 120_000);
});
