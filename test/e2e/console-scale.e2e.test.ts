/**
 * The console at scale, on the demo's own 213-bridge meeting: the chair's
 * console in Chromium at 1366×768, one commune's bridge screen in Chromium,
 * and the other bridges as plain Socket.IO clients (cheap: a browser each
 * would cost more than the machine has). A roll-call opens, the commune's
 * screen alerts until it answers, a few bridges confirm, and the console's
 * filter finds exactly the unconfirmed ones. Then the meeting ends and the
 * pages turn read-only.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { connect, login, request, type TestSocket } from '../helpers/app.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, outputDir } from './helpers/browser.ts';
import { connState, openPage, signIn, type Opened } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

const VIEW = { width: 1366, height: 768 };
/** Bridges simulated by sockets: the second provincial hall, every district, and this many communes. */
const SOCKET_COMMUNES = 60;
/** Socket bridges that answer the roll-call (plus the commune in the browser). */
const CONFIRMING = 10;
/** Socket bridges that join and then drop. */
const DROPPING = 3;

let srv: E2EServer;
let browser: Browser;
const log = new NetworkLog();
const opened: Opened[] = [];
const sockets: TestSocket[] = [];
const socketOf = new Map<string, TestSocket>();
let chair: Page;
let commune: Page;
let meetingId = 0;
let meetingTitle = '';
let total = 0;
let communeName = '';

interface BridgeRow {
  id: number;
  name: string;
  code: string;
  level: string;
  username: string;
}
let rows: BridgeRow[] = [];

async function open(): Promise<Page> {
  const o = await openPage(browser, { ...DESKTOP, viewport: VIEW }, log, srv.url);
  opened.push(o);
  return o.page;
}

async function axeClean(page: Page, name: string): Promise<void> {
  const v = await seriousViolations(page);
  expect(v, `${name}: serious accessibility violations ${JSON.stringify(v)}`).toEqual([]);
}

/** A screenshot of what is on screen (no scrolling, no full page), under test-output/e2e/. */
async function screen(page: Page, name: string): Promise<void> {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `${name}-1366x768.png`) });
}

const filterCount = async (f: string) => Number(await chair.locator(`[data-filter=${f}]`).getAttribute('data-count'));
const shown = async () => Number(await chair.locator('ul[data-shown]').getAttribute('data-shown'));

async function bridgeSocket(username: string): Promise<TestSocket> {
  const socket = await connect(srv.url, await login(srv.app(), username));
  sockets.push(socket);
  socketOf.set(username, socket);
  const ack = await request(socket, 'meeting:join', { meetingId }, 30_000);
  expect(ack.ok, `${username} joins: ${JSON.stringify(ack)}`).toBe(true);
  return socket;
}

describe('the console runs 213 bridge points', () => {
  beforeAll(async () => {
    srv = await startServer();
    browser = await launchChromium();
    const sql = srv.app().db.$client;
    const m = sql.prepare('SELECT id, title FROM meetings ORDER BY id LIMIT 1').get() as { id: number; title: string };
    meetingId = m.id;
    meetingTitle = m.title;
    rows = sql
      .prepare(
        `SELECT bp.id, bp.name, un.code, bp.level, u.username FROM meeting_bridge_points mbp
         JOIN bridge_points bp ON bp.id = mbp.bridge_point_id JOIN units un ON un.id = bp.unit_id
         JOIN users u ON u.id = bp.operator_user_id WHERE mbp.meeting_id = ? ORDER BY bp.id`,
      )
      .all(meetingId) as BridgeRow[];
    total = rows.length;
  }, 240_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await browser?.close();
    await srv?.stop();
  });

  it('1. the chair starts the demo meeting; nobody has joined yet, and the console says so per level', async () => {
    expect(total).toBe(213);
    chair = await open();
    await signIn(chair, 'vanphong');
    await chair.goto(`/meetings/${meetingId}/console`);
    await chair.locator('[data-view=console]').waitFor();
    await chair.locator('[data-action=meeting-start]').click();
    await chair.locator('.tag-live').first().waitFor();
    await connState(chair, 'online');
    // The page title says where the chair is.
    await expect.poll(() => chair.title()).toContain(meetingTitle);
    expect(await chair.title()).toContain('Điều hành');
    // 213 bridges: the compact view is the default and every one starts "not connected yet".
    await chair.locator('ul[data-grid=compact]').waitFor();
    expect(await shown()).toBe(213);
    expect(await filterCount('never')).toBe(213);
    for (const [level, n] of [['provincial', 2], ['district', 11], ['commune', 200]] as const) {
      expect(await chair.locator(`[data-level-strip] [data-level=${level}]`).getAttribute('data-bridges')).toBe(String(n));
    }
  }, 180_000);

  it('2. bridges join (one commune in a browser, the rest as sockets), some drop; "never" and "dropped" are told apart', async () => {
    const browserCommune = rows.find((r) => r.level === 'commune')!;
    communeName = browserCommune.name;
    commune = await open();
    await signIn(commune, browserCommune.username);
    await commune.waitForURL(`**/meetings/${meetingId}/bridge`);
    await commune.locator('[data-view=bridge]').waitFor();
    await expect.poll(() => commune.title()).toContain('Màn hình điểm cầu');

    const others = [
      ...rows.filter((r) => r.level === 'provincial'),
      ...rows.filter((r) => r.level === 'district'),
      ...rows.filter((r) => r.level === 'commune' && r.id !== browserCommune.id).slice(0, SOCKET_COMMUNES),
    ];
    // A few at a time: logins hash passwords, and the machine is shared.
    for (let i = 0; i < others.length; i += 8) await Promise.all(others.slice(i, i + 8).map((r) => bridgeSocket(r.username)));
    const joined = others.length + 1;
    await expect.poll(() => filterCount('never'), { timeout: 30_000 }).toBe(total - joined);

    // The last few communes drop: after the server's grace period they are "lost", not "never joined".
    const droppers = others.slice(-DROPPING);
    for (const r of droppers) socketOf.get(r.username)!.close();
    await expect.poll(() => filterCount('dropped'), { timeout: 60_000 }).toBe(DROPPING);
    expect(await filterCount('never')).toBe(total - joined);
    const dropped = droppers[0]!;
    expect(await chair.locator(`.bridge-chip[data-bridge="${dropped.id}"]`).getAttribute('data-bconn')).toBe('dropped');
    const never = rows.find((r) => r.level === 'commune' && !others.includes(r) && r.id !== browserCommune.id)!;
    expect(await chair.locator(`.bridge-chip[data-bridge="${never.id}"]`).getAttribute('data-bconn')).toBe('never');
    await chair.locator('[data-filter=dropped]').click();
    await expect.poll(shown).toBe(DROPPING);
    await chair.locator('[data-filter=all]').click();
  }, 240_000);

  it('3. a roll-call opens: the commune screen alerts (banner and chime) until it answers', async () => {
    await chair.locator('[data-action=rollcall-start]').click();
    const banner = commune.locator('[data-rollcall-alert=waiting]');
    await banner.waitFor({ timeout: 30_000 });
    // The banner is on screen without scrolling, at the top.
    const box = (await banner.boundingBox())!;
    expect(box.y).toBeLessThan(VIEW.height / 2);
    // The chime rings (Web Audio) and can be turned off.
    await expect.poll(async () => Number(await banner.getAttribute('data-beeps')), { timeout: 20_000 }).toBeGreaterThan(0);
    await commune.locator('[data-action=rollcall-sound]').click();
    expect(await banner.getAttribute('data-sound')).toBe('off');
    await axeClean(commune, 'bridge roll-call banner');
    await screen(commune, 'bridge-rollcall-banner');
    await commune.locator('.rc-alert input[type=number]').fill('7');
    await commune.locator('[data-action=rollcall-confirm]').click();
    await commune.locator('[data-rollcall-alert=answered]').waitFor();

    // Ten socket bridges answer too.
    for (const r of rows.filter((x) => socketOf.has(x.username)).slice(0, CONFIRMING)) {
      const s = socketOf.get(r.username)!;
      const ack = await request(s, 'rollcall:confirm', { meetingId, delegatesPresent: 5 }, 30_000);
      expect(ack.ok, JSON.stringify(ack)).toBe(true);
    }
  }, 180_000);

  it('4. the filter finds exactly the unconfirmed bridges; search works without diacritics; counts stay on screen', async () => {
    const confirmed = CONFIRMING + 1;
    await expect.poll(() => filterCount('unconfirmed'), { timeout: 30_000 }).toBe(total - confirmed);
    await chair.locator('[data-action=show-unconfirmed]').click();
    await expect.poll(shown).toBe(total - confirmed);
    expect(await chair.locator(`.bridge-chip[data-bridge="${rows.find((r) => r.name === communeName)!.id}"]`).count()).toBe(0);

    // Every level's counts are on screen at 1366×768 while the grid is scrolled into view.
    await chair.locator('#grid-h').scrollIntoViewIfNeeded();
    const strip = chair.locator('[data-level-strip]');
    const box = (await strip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(VIEW.height);
    for (const level of ['provincial', 'district', 'commune']) {
      const el = strip.locator(`[data-level=${level}]`);
      expect(await el.isVisible()).toBe(true);
      expect(await el.getAttribute('data-confirmed')).not.toBe('');
    }
    const confirmedTotal = await strip.locator('[data-level]').evaluateAll((els) => els.reduce((a, e) => a + Number(e.getAttribute('data-confirmed')), 0));
    expect(confirmedTotal).toBe(confirmed);
    await screen(chair, 'console-213-unconfirmed');
    await axeClean(chair, 'console with 213 bridges');

    // Search: the commune's name without marks, and its code.
    await chair.locator('[data-filter=all]').click();
    const target = rows.find((r) => r.name === communeName)!;
    const plain = target.name.replace(/^Điểm cầu /, '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
    await chair.locator('[data-action=grid-search]').fill(plain);
    await expect.poll(() => chair.locator(`.bridge-chip[data-bridge="${target.id}"]`).count()).toBe(1);
    await chair.locator('[data-action=grid-search]').fill(target.code);
    await expect.poll(shown).toBe(1);
    await chair.locator('[data-action=grid-search]').fill('');
    await chair.evaluate(() => window.scrollTo(0, 0));
    await screen(chair, 'console-213');
  }, 180_000);

  it('5. the meeting ends: the stage says so and the editor is read-only', async () => {
    await chair.getByRole('button', { name: 'Kết thúc điểm danh' }).click();
    await chair.locator('[data-action=rollcall-start]').waitFor();
    chair.once('dialog', (d) => void d.accept());
    await chair.getByRole('button', { name: 'Kết thúc họp' }).click();
    await chair.locator('.tag-ended').first().waitFor({ timeout: 30_000 });
    await commune.locator('[data-stage-text=ended]').waitFor({ timeout: 30_000 });
    expect(await commune.locator('.stage').textContent()).toContain('Hội nghị đã kết thúc');

    for (const tab of ['details', 'agenda', 'invite', 'documents']) {
      await chair.goto(`/meetings/${meetingId}?tab=${tab}`);
      await chair.locator('[data-readonly=ended]').waitFor();
      expect(await chair.getByRole('button', { name: 'Lưu', exact: true }).count(), tab).toBe(0);
      expect(await chair.locator('form').count(), tab).toBe(0);
    }
    await chair.goto(`/meetings/${meetingId}?tab=details`);
    await chair.locator('[data-details=read-only]').waitFor();
    await expect.poll(() => chair.title()).toContain(meetingTitle);
    await axeClean(chair, 'ended meeting details');
    for (const o of opened) expect(o.errors).toEqual([]);
    expect(log.foreign(srv.url)).toEqual([]);
  }, 180_000);
});
