/**
 * The minutes in real Chromium: a meeting is run to its end (delegates over
 * sockets: an absence, a speaker, an open and a secret poll; the chair ends
 * it from the console), the secretariat opens the minutes, types a conclusion,
 * finalises and downloads both files. The PDF's text (pdftotext) and the
 * DOCX's XML carry the names, attendance figures, poll counts and the
 * conclusion; the PDF's signature verifies and its hash is in the audit chain.
 * Screenshots of the minutes page and of the PDF's first page go to test-output/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { verifyRecorded, verifySignature } from '../../server/src/modules/minutes/minutes.verify.ts';
import { connect, login, request, type TestSocket } from '../helpers/app.ts';
import { makeCerts, type LocalCerts } from '../helpers/certs.ts';
import { okData } from '../integration/conference/helpers.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, outputDir, shot, shotBoth } from './helpers/browser.ts';
import { openPage, signIn, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

const CONCLUSION = 'Hội nghị thống nhất giao Văn phòng Tỉnh ủy hoàn thiện Nghị quyết trước ngày 15.';
const REASON = 'Đi công tác nước ngoài';

let srv: E2EServer;
let browser: Browser;
let o: Opened;
let page: Page;
let certs: LocalCerts;
let meetingId: number;
const sockets: TestSocket[] = [];
const log = new NetworkLog();

const fullName = (username: string) => (srv.app().db.$client.prepare('SELECT full_name AS n FROM users WHERE username = ?').get(username) as { n: string }).n;
const userId = (username: string) => (srv.app().db.$client.prepare('SELECT id FROM users WHERE username = ?').get(username) as { id: number }).id;

async function member(username: string): Promise<TestSocket> {
  const s = await connect(srv.url, await login(srv.app(), username));
  sockets.push(s);
  okData(await request(s, 'meeting:join', { meetingId }));
  return s;
}

describe('the minutes in the browser', () => {
  beforeAll(async () => {
    certs = makeCerts('localhost', 'diemcau-e2e-certs-');
    srv = await startServer({ minutes: { signP12: null, signPassword: 'e2e', certDir: certs.dir } });
    browser = await launchChromium();
    o = await openPage(browser, DESKTOP, log, srv.url);
    page = o.page;
    page.on('dialog', (d) => void d.accept());
    meetingId = (srv.app().db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;

    // The meeting, run by the chair and three delegates over sockets.
    const chair = await member('vanphong');
    okData(await request(chair, 'meeting:start', { meetingId }));
    const ds = await Promise.all(['daibieu01', 'daibieu02', 'daibieu03'].map(member));
    for (const d of ds) okData(await request(d, 'presence:set-delegate', { meetingId, status: 'present_online' }));
    okData(await request(chair, 'presence:set-delegate', { meetingId, userId: userId('daibieu04'), status: 'absent', reason: REASON }));
    okData(await request(ds[0]!, 'floor:request', { meetingId, topic: 'Giao thông' }));
    const queued = (await srv.app().conference.state(meetingId)).floor.queue[0]!;
    okData(await request(chair, 'floor:grant', { meetingId, requestId: queued.id }));
    okData(await request(chair, 'floor:revoke', { meetingId }));
    for (const mode of ['open', 'secret'] as const) {
      const poll = okData(await request<{ id: number }>(chair, 'poll:create', { agendaItemId: null, title: `Biểu quyết ${mode === 'open' ? 'công khai' : 'kín'}`, kind: 'approval', mode, majority: 'simple' }));
      okData(await request(chair, 'poll:open', { pollId: poll.id }));
      for (const [i, d] of ds.entries()) okData(await request(d, 'vote:cast', { pollId: poll.id, choices: [i < 2 ? 'yes' : 'no'], ballotId: crypto.randomUUID() }));
      okData(await request(chair, 'poll:close', { pollId: poll.id }));
    }
  }, 240_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await browser?.close();
    await srv?.stop();
  });

  it('ends the meeting, edits, finalises and downloads minutes whose PDF and DOCX carry the record', async () => {
    await signIn(page, 'vanphong');
    await page.goto(`/meetings/${meetingId}/console`);
    await page.getByRole('button', { name: 'Kết thúc họp' }).click();
    await page.getByRole('link', { name: 'Biên bản' }).click({ timeout: 60_000 });
    await page.waitForURL((u) => u.pathname === `/meetings/${meetingId}/minutes`);

    await page.locator('#f-overall').fill(CONCLUSION);
    await page.locator('[data-save="overall"]').click();
    await page.locator('[data-field="overall"] [role="status"]').getByText('Đã lưu').waitFor({ timeout: 30_000 });
    await page.locator('#f-chair').fill('Nguyễn Văn Chủ Trì');
    await page.locator('[data-save="chair"]').click();
    await page.locator('[data-field="chair"] [role="status"]').waitFor({ timeout: 30_000 });
    await shotBoth(page, 'minutes-draft');
    expect(await seriousViolations(page)).toEqual([]);

    await page.locator('[data-finalise]').click();
    await page.locator('[data-minutes-status="final"]').waitFor({ timeout: 120_000 });
    await shot(page, 'minutes-final', 'desktop');

    const [pdfDl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-download="pdf"]').click()]);
    const [docxDl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('[data-download="docx"]').click()]);
    const pdf = readFileSync((await pdfDl.path())!);
    const docx = readFileSync((await docxDl.path())!);

    const absent = fullName('daibieu04');
    const speaker = fullName('daibieu01');
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString().replace(/\s+/g, ' ');
    const xml = strFromU8(unzipSync(new Uint8Array(docx))['word/document.xml']!);
    const { model } = (await (await page.context().request.get(`/api/meetings/${meetingId}/minutes`)).json()) as { model: { attendance: { overall: { invited: number } } } };
    const invited = model.attendance.overall.invited;
    for (const [name, hay] of [['pdf', text], ['docx', xml]] as const) {
      expect(hay, name).toContain(absent);
      expect(hay, name).toContain(REASON);
      expect(hay, name).toContain(speaker);
      expect(hay, name).toContain(CONCLUSION);
      expect(hay, name).toContain('Nguyễn Văn Chủ Trì');
      expect(hay, name).toContain(`Đại biểu được triệu tập: ${invited}; có mặt 3 (trực tiếp 0, trực tuyến 3); vắng có lý do 1;`);
      // 3 of the 30 invited were present: below the quorum, which the minutes say in words.
      expect(hay, name).toContain(`Không đủ số đại biểu cần thiết (có mặt 3/${invited} đại biểu được triệu tập)`);
      expect(hay, name).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
      expect(hay, name).toContain('bỏ phiếu kín');
    }
    expect(text).toMatch(/Tán thành 2 66[.,]7%/);
    // The DOCX poll table: the option's cell, then its count.
    expect(xml).toMatch(/>Tán thành<\/w:t>.*?>2<\/w:t>/s);

    mkdirSync(outputDir, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', '-', join(outputDir, 'minutes-pdf-page1')], { input: pdf });
    expect(readFileSync(join(outputDir, 'minutes-pdf-page1.png')).subarray(1, 4).toString()).toBe('PNG');

    expect(verifySignature(pdf, certs.caFile).ok).toBe(true);
    expect((await srv.app().database.run((s) => verifyRecorded(s, pdf))).ok).toBe(true);

    // The archive finds it by the conclusion typed without diacritics.
    await page.getByRole('link', { name: 'Lưu trữ' }).click();
    await page.waitForURL((u) => u.pathname === '/archive');
    await page.getByLabel('Tìm theo tên, đơn vị, ngày hoặc nội dung kết luận').fill('hoan thien nghi quyet');
    await page.locator(`[data-archive="${meetingId}"]`).waitFor({ timeout: 30_000 });
    await shotBoth(page, 'minutes-archive');
    expect(await seriousViolations(page)).toEqual([]);
    expect(o.errors).toEqual([]);
  }, 300_000);
});
