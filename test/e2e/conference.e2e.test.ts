/**
 * A whole conference in real Chromium on the seeded province: the secretariat
 * prepares and starts a meeting, two bridge points and three delegates follow
 * it, a confidential document is viewed, the floor and a secret poll run,
 * and the server restarts under them.
 * Every view is screenshotted at desktop and phone size (test-output/e2e/) and
 * checked with axe-core; the network log must show only the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RECEIPT_PATTERN } from '@diemcau/shared';
import { personName } from '../../server/src/db/seed-data.ts';
import { seriousViolations, type AxeViolation } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, PHONE, shotBoth } from './helpers/browser.ts';
import { audioBytes, connState, currentItem, openPage, signIn, stageVideoPlaying, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';
import { DOC_TITLE, prepareConfidentialDocument, prepareDocument, prepareRestrictedDocument, printedQrLink, receiptCount } from './helpers/documents.ts';

/**
 * Each step's bound. A step drives up to eight Chromium pages decoding video; with a second suite on
 * the same two cores a step took 4-5 times its solo time (18 s -> 75 s, 32 s -> 80-120 s).
 * A step that passes returns at once, so this costs time only when something is broken.
 */
const STEP_MS = 300_000;
/** One condition's bound inside a step (Playwright's own default is raised to the same in helpers/browser.ts). */
const WAIT_MS = 60_000;

const TITLE = 'Hội nghị trực tuyến kiểm thử toàn trình';
const ITEMS = ['Khai mạc hội nghị', 'Báo cáo tình hình kinh tế – xã hội', 'Biểu quyết thông qua Nghị quyết'];
const BRIDGES = { provincial: 'Điểm cầu Tỉnh ủy', district: 'Điểm cầu Thành phố Sơn Hà' };
const DELEGATES = ['daibieu01', 'daibieu02', 'daibieu03'];

let srv: E2EServer;
let browser: Browser;
const log = new NetworkLog();
const opened: Opened[] = [];
const a11y: Record<string, AxeViolation[]> = {};
let meetingId = 0;
let chair: Page;
let bridgeProv: Page;
let bridgeDist: Page;
const phones: Page[] = [];
let qrPhone: Page;

async function open(size: 'desktop' | 'phone'): Promise<Page> {
  const o = await openPage(browser, size === 'desktop' ? DESKTOP : PHONE, log, srv.url);
  opened.push(o);
  return o.page;
}

/** Screenshot at both sizes plus an axe run, recorded under `name`. */
async function checkView(page: Page, name: string): Promise<void> {
  await shotBoth(page, name);
  a11y[name] = await seriousViolations(page);
  expect(a11y[name], `${name}: serious accessibility violations ${JSON.stringify(a11y[name])}`).toEqual([]);
}

const livePages = () => [chair, bridgeProv, bridgeDist, ...phones];

describe('a whole conference in the browser', () => {
  beforeAll(async () => {
    srv = await startServer();
    browser = await launchChromium();
  }, STEP_MS);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('1. the secretariat creates the meeting, its agenda and the invitations, and starts it', async () => {
    chair = await open('desktop');
    await chair.goto('/login');
    await checkView(chair, 'login');
    // Vietnamese by default; English on request, remembered across a reload.
    await chair.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await chair.getByRole('button', { name: /English/ }).click();
    await chair.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await chair.evaluate(() => document.documentElement.lang)).toBe('en');
    await chair.reload();
    await chair.getByRole('heading', { name: 'Sign in' }).waitFor();
    await checkView(chair, 'login-en');
    await chair.getByRole('button', { name: /Tiếng Việt/ }).click();
    await chair.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await signIn(chair, 'vanphong');
    await chair.waitForURL('**/meetings');
    await chair.locator('.list-row').first().waitFor();
    await checkView(chair, 'meetings-list');

    await chair.getByRole('button', { name: /Tạo cuộc họp/ }).click();
    await chair.getByLabel('Tên cuộc họp').fill(TITLE);
    await chair.getByRole('button', { name: 'Tạo', exact: true }).click();
    await chair.waitForURL(/\/meetings\/\d+\?tab=agenda/);
    meetingId = Number(/\/meetings\/(\d+)/.exec(chair.url())![1]);

    // Agenda: three items, then drag the last to the top and put it back with the arrows.
    for (const title of ITEMS) {
      await chair.getByLabel('Nội dung').last().fill(title);
      await chair.getByLabel('Số phút').last().fill('10');
      await chair.getByRole('button', { name: 'Thêm', exact: true }).click();
      await chair.locator('.agenda-row', { hasText: title }).waitFor();
    }
    const order = () => chair.locator('.agenda-row .agenda-title').allTextContents();
    expect(await order()).toEqual(ITEMS);
    await chair.locator('.agenda-row').nth(2).dragTo(chair.locator('.agenda-row').nth(0));
    await expect.poll(order).toEqual([ITEMS[2], ITEMS[0], ITEMS[1]]);
    await chair.getByRole('button', { name: `Xuống: ${ITEMS[2]}` }).click();
    await expect.poll(order).toEqual([ITEMS[0], ITEMS[2], ITEMS[1]]);
    await chair.getByRole('button', { name: `Xuống: ${ITEMS[2]}` }).click();
    await expect.poll(order).toEqual(ITEMS);
    // The order is the server's, not just the screen's.
    await chair.reload();
    await expect.poll(order).toEqual(ITEMS);
    await checkView(chair, 'agenda-editor');

    // Invitations: two bridge points and three delegates from the unit tree.
    await chair.goto(`/meetings/${meetingId}?tab=invite`);
    await chair.getByLabel(BRIDGES.provincial, { exact: true }).check();
    // Select-all per district ticks the district's own bridge and all its communes…
    const district = chair.getByRole('checkbox', { name: /^Thành phố Sơn Hà \(\d+\/\d+\)$/ });
    await district.check();
    const label = (await district.locator('xpath=..').textContent()) ?? '';
    const [, picked, total] = /\((\d+)\/(\d+)\)/.exec(label)!;
    expect(Number(picked)).toBe(Number(total));
    expect(Number(total)).toBeGreaterThan(10);
    // …and unticking it clears them again; then pick only the district's own bridge.
    await district.uncheck();
    await chair.getByRole('button', { name: 'Thành phố Sơn Hà: Mở' }).click();
    await chair.getByLabel(BRIDGES.district, { exact: true }).check();
    for (const i of [1, 2, 3]) await chair.getByLabel(personName(i), { exact: true }).check();
    await checkView(chair, 'invite-tree');
    await chair.getByRole('button', { name: 'Lưu danh sách mời' }).click();
    await chair.getByText('Đã lưu danh sách mời').waitFor();
    const inv = await chair.evaluate((id) => fetch(`/api/meetings/${id}/invitations`).then((r) => r.json()), meetingId);
    expect(inv.bridgePoints.map((b: { name: string }) => b.name).sort()).toEqual([BRIDGES.provincial, BRIDGES.district].sort());
    expect(inv.delegates).toHaveLength(3);

    // Schedule, then start from the console.
    await chair.goto(`/meetings/${meetingId}?tab=details`);
    await checkView(chair, 'meeting-details');
    await chair.getByRole('button', { name: 'Lên lịch' }).click();
    await chair.locator('.tag-scheduled').first().waitFor();
    await chair.locator('[data-action=open-console-start]').click();
    await chair.locator('[data-view=console]').waitFor();
    await chair.locator('[data-action=meeting-start]').click();
    await chair.locator('.tag-live').first().waitFor();
    await connState(chair, 'online');
  }, STEP_MS);

  it('2. the bridge points open their screens and show the main stage video', async () => {
    bridgeProv = await open('desktop');
    bridgeDist = await open('desktop');
    await signIn(bridgeProv, 'cau.tinh1');
    await signIn(bridgeDist, 'cau.991');
    // With one live meeting the operator lands on its screen without a click.
    for (const p of [bridgeProv, bridgeDist]) {
      await p.waitForURL(`**/meetings/${meetingId}/bridge`);
      await p.locator('[data-view=bridge]').waitFor();
      await p.locator('[data-camera=on]').waitFor({ timeout: WAIT_MS });
    }
    // The chair's own hall (the provincial hall) is on the main stage from the start: its "to stage" button is spent.
    await expect.poll(() => chair.getByRole('button', { name: `Đưa lên màn hình chính: ${BRIDGES.provincial}` }).isDisabled(), { timeout: WAIT_MS }).toBe(true);
    for (const p of [bridgeDist, chair, bridgeProv]) await expect.poll(() => stageVideoPlaying(p), { timeout: WAIT_MS }).toBe(true);
    // The grid shows both bridges online with their link state.
    for (const name of Object.values(BRIDGES)) {
      const card = chair.locator('.bridge-card', { hasText: name });
      await expect.poll(() => card.getAttribute('data-status')).toBe('online');
      expect(['good', 'weak', 'audio-only']).toContain(await card.getAttribute('data-link'));
      // Each bridge's camera shows in the chair's grid (lowest simulcast layer).
      await expect.poll(() => card.locator('video.thumb').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: WAIT_MS }).toBeGreaterThan(0);
    }
    // The console's media panel lists each worker's load, and this meeting on the worker carrying it.
    const worker = chair.locator('[data-worker]', { has: chair.locator('td[data-meetings]', { hasText: String(meetingId) }) });
    await worker.first().waitFor({ timeout: WAIT_MS });
    await expect.poll(async () => Number(await worker.first().getAttribute('data-producers')), { timeout: WAIT_MS }).toBeGreaterThan(0);
    expect(Number(await worker.first().getAttribute('data-load'))).toBeGreaterThanOrEqual(0);
    await checkView(bridgeDist, 'bridge-screen');
    await checkView(chair, 'chair-console');
  }, STEP_MS);

  it('3. the secretariat publishes a document; a delegate opens the QR link on a phone, downloads it, and the console shows the receipt', async () => {
    await prepareDocument(chair, meetingId, checkView);
    const qr = await printedQrLink(chair, meetingId, personName(1));
    await chair.goto(`/meetings/${meetingId}/console`);
    await chair.locator('[data-view=console]').waitFor();
    const phone = await open('phone');
    await phone.goto(qr);
    await checkView(phone, 'qr-landing');
    const [download] = await Promise.all([phone.waitForEvent('download'), phone.getByRole('link', { name: /Tải về/ }).first().click()]);
    expect(await download.failure()).toBeNull();
    await expect.poll(() => receiptCount(chair), { timeout: WAIT_MS }).toBeGreaterThanOrEqual(1);
    await chair.locator('tr[data-received="1"]', { hasText: DOC_TITLE }).waitFor();
    await checkView(chair, 'chair-console-receipts');
    qrPhone = phone;
  }, STEP_MS);

  it('3b. the QR link takes its delegate straight into the meeting page; the others sign in', async () => {
    // No password: "Vào phòng họp" on the QR landing page opens a session bound to this meeting.
    await qrPhone.getByRole('button', { name: 'Vào phòng họp' }).click();
    await qrPhone.waitForURL(`**/meetings/${meetingId}/delegate`);
    await qrPhone.locator('[data-view=delegate]').waitFor();
    await qrPhone.getByText(DOC_TITLE).waitFor();
    phones.push(qrPhone);
    for (const u of DELEGATES.slice(1)) {
      const p = await open('phone');
      await signIn(p, u);
      await p.waitForURL(`**/meetings/${meetingId}/delegate`);
      await p.locator('[data-view=delegate]').waitFor();
      phones.push(p);
    }
    await checkView(phones[0]!, 'delegate-phone');
  }, STEP_MS);

  it('3c. a confidential document opens only in the watermarked viewer, and not from a QR session', async () => {
    // First a restricted document for bridge operators only: the delegates must never see it.
    // The two invited bridge points (provincial and district) stand for two units.
    const restrictedId = await prepareRestrictedDocument(chair, meetingId, 2, checkView);
    const docId = await prepareConfidentialDocument(chair, meetingId);
    await chair.goto(`/meetings/${meetingId}/console`);
    await chair.locator('[data-view=console]').waitFor();
    const [qrSession, signedIn] = [phones[0]!, phones[1]!];
    // Signed in with a password: a viewer button, and no download link.
    const row = signedIn.locator(`.doc-row[data-document="${docId}"]`);
    const view = row.getByRole('link', { name: 'Xem tài liệu mật' });
    await view.waitFor();
    expect(await row.getByRole('link', { name: /Tải về/ }).count()).toBe(0);
    // Published before the confidential one, which is already here: had it been visible, it would be too.
    expect(await signedIn.locator(`.doc-row[data-document="${restrictedId}"]`).count()).toBe(0);
    // Came in with the QR code: asked to sign in instead; the server refuses the pages too.
    const qrRow = qrSession.locator(`.doc-row[data-document="${docId}"]`);
    await qrRow.getByRole('button', { name: 'Đăng nhập để xem tài liệu mật' }).waitFor();
    expect(await qrRow.getByRole('link').count()).toBe(0);
    const qrStatus = await qrSession.evaluate((u) => fetch(u).then((r) => r.status), `/api/meetings/${meetingId}/documents/${docId}/pages/1?width=480`);
    expect(qrStatus).toBe(403);

    await view.click();
    await signedIn.waitForURL(`**/meetings/${meetingId}/documents/${docId}`);
    await signedIn.locator('[data-view=viewer]').waitFor();
    await signedIn.getByText('Trang 1/2').waitFor();
    const img = signedIn.locator('img.viewer-img');
    const loaded = () => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0));
    await expect.poll(loaded, { timeout: WAIT_MS }).toBeGreaterThan(0);
    await checkView(signedIn, 'confidential-viewer');
    // Back to the meeting page, which the later steps use.
    await signedIn.getByRole('link', { name: /Quay lại/ }).click();
    await signedIn.waitForURL(`**/meetings/${meetingId}/delegate`);
    await signedIn.locator('[data-view=delegate]').waitFor();
    await qrSession.locator('[data-view=delegate]').waitFor();
  }, STEP_MS);

  it('4. the chair advances the agenda and every page follows', async () => {
    const before = await currentItem(chair);
    await chair.locator('[data-action=agenda-next]').click();
    await expect.poll(() => currentItem(chair)).not.toBe(before);
    const now = await currentItem(chair);
    expect(now).toBeTruthy();
    for (const p of livePages()) await expect.poll(() => currentItem(p)).toBe(now);
    // The item's title shows on the big screens and the phones, not just its id.
    const title = (await chair.locator('.now-row strong').textContent())!.replace(/^Mục \d+: /, '');
    expect(ITEMS).toContain(title);
    for (const p of [bridgeProv, bridgeDist, ...phones]) await p.locator('.agenda-now-title', { hasText: title }).waitFor();
    await chair.getByRole('button', { name: /Bấm giờ/ }).click();
    await bridgeDist.locator('[data-timer-status=running]').waitFor();
  }, STEP_MS);

  it('5. a bridge requests the floor, is granted it, and its audio reaches the others', async () => {
    await bridgeDist.locator('[data-action=floor-request]').click();
    await bridgeDist.locator('[data-floor-queued]').waitFor();
    const grant = chair.locator('[data-action=floor-grant]');
    await grant.waitFor();
    await checkView(chair, 'chair-console-queue');
    await grant.click();
    await bridgeDist.getByText('Mời đồng chí phát biểu').waitFor();
    await bridgeDist.locator('[data-mic=on]').waitFor({ timeout: WAIT_MS });
    for (const p of livePages()) await p.locator('.speaker-box', { hasText: BRIDGES.district }).waitFor();
    // Audio flows: the provincial hall and the console receive a growing number of bytes from one open mic.
    // The provincial hall hears no mic but the speaker's (its own is never sent back to it), so there the
    // bytes are the speaker's. Measured once bytes arrive: a consumer exists a round trip before it is
    // resumed, and on a loaded machine that setup alone can outlast the window below.
    const total = (b: Record<string, number>) => Object.values(b).reduce((a, n) => a + n, 0);
    for (const p of [bridgeProv, chair]) {
      await expect.poll(async () => total(await audioBytes(p)), { timeout: WAIT_MS }).toBeGreaterThan(0);
      const first = await audioBytes(p);
      await p.waitForTimeout(1500);
      const later = await audioBytes(p);
      const grew = Object.keys(later).some((id) => later[id]! > (first[id] ?? 0));
      expect(grew, `audio bytes keep arriving: ${JSON.stringify({ first, later })}`).toBe(true);
    }
    expect(Object.keys(await audioBytes(bridgeProv)), 'the provincial hall receives only the speaker, not its own mic').toHaveLength(1);
    await checkView(bridgeDist, 'bridge-screen-speaking');
  }, STEP_MS);

  it('6. a secret poll is opened, the delegates vote, and the result appears everywhere with quorum and majority', async () => {
    await chair.locator('[data-action=floor-revoke]').click();
    await chair.locator('[data-action=poll-new]').click();
    await chair.locator('[data-action=poll-create]').click();
    await chair.locator('[data-action=poll-open]').click();
    await chair.locator('[data-poll-status=open]').waitFor();
    // The QR phone's delegate set a voting PIN once after a password sign-in (the printed sheet cannot set it).
    const app = srv.app();
    const pw = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: DELEGATES[0], password: 'DaiBieu@2026' } });
    const setPin = await app.inject({ method: 'PUT', url: '/api/auth/pin', headers: { authorization: `Bearer ${pw.json().token}` }, payload: { password: 'DaiBieu@2026', pin: '2580' } });
    expect(setPin.statusCode, setPin.body).toBe(200);
    const receipts: string[] = [];
    for (const [i, p] of phones.entries()) {
      await p.locator('[data-option=yes]').click();
      if (i === 0) await checkView(p, 'delegate-vote-confirm');
      await p.locator('[data-action=vote-confirm]').click();
      if (i === 0) {
        // A QR session votes only after the delegate's PIN: one short step.
        await p.locator('input[name=pin]').fill('2580');
        await checkView(p, 'delegate-vote-pin');
        await p.locator('[data-action=pin-submit]').click();
      }
      const code = await p.locator('[data-receipt]').getAttribute('data-receipt');
      expect(code).toMatch(new RegExp(RECEIPT_PATTERN));
      receipts.push(code!);
      if (i === 0) await checkView(p, 'delegate-receipt');
    }
    expect(new Set(receipts).size).toBe(3);
    await chair.locator('.turnout[data-voted="3"]').waitFor();
    await chair.locator('[data-action=poll-close]').click();
    for (const p of livePages()) {
      const result = p.locator('[data-outcome]');
      await result.waitFor();
      expect(await result.getAttribute('data-outcome')).toBe('passed');
      expect(await p.locator('[data-quorum]').getAttribute('data-quorum')).toBe('met');
      expect(await p.locator('[data-majority]').getAttribute('data-majority')).toBe('simple');
    }
    await checkView(bridgeProv, 'bridge-screen-result');
    await checkView(chair, 'chair-console-result');
    // The live console in English, too.
    await chair.getByRole('button', { name: /English/ }).click();
    await chair.locator('[data-outcome]', { hasText: 'PASSED' }).waitFor();
    await checkView(chair, 'chair-console-result-en');
    await chair.getByRole('button', { name: /Tiếng Việt/ }).click();
    await chair.locator('[data-outcome]', { hasText: 'ĐÃ THÔNG QUA' }).waitFor();
    await checkView(phones[1]!, 'delegate-result');
  }, STEP_MS);

  it('7. the server restarts mid-meeting and every page recovers by itself', async () => {
    const item = await currentItem(chair);
    await srv.restart({ downMs: 2000 });
    // The chair moves on as soon as the page is back online, before its re-join (after a random
    // delay) has answered: the command waits for the join instead of meeting NOT_MEMBER.
    await connState(chair, 'online', 30_000);
    await chair.locator('[data-action=agenda-next]').click();
    await expect.poll(() => currentItem(chair), { timeout: WAIT_MS }).not.toBe(item);
    const next = await currentItem(chair);
    // Every page comes back and follows.
    for (const p of livePages()) {
      await connState(p, 'online', 30_000);
      await expect.poll(() => currentItem(p), { timeout: WAIT_MS }).toBe(next);
      await p.locator('[data-outcome=passed]').waitFor({ timeout: WAIT_MS });
    }
    // Media comes back too: the stage plays again on the other bridge.
    await expect.poll(() => stageVideoPlaying(bridgeDist), { timeout: WAIT_MS }).toBe(true);
    await checkView(bridgeDist, 'bridge-screen-after-restart');
  }, STEP_MS);

  it('talks to no host but the server, and no page threw', () => {
    expect(log.urls.length).toBeGreaterThan(50);
    expect(log.foreign(srv.url)).toEqual([]);
    expect(opened.flatMap((o) => o.errors)).toEqual([]);
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(22);
  });
});
