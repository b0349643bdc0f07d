/**
 * Recording through the real web client: the chair starts recording from the
 * console and "Đang ghi hình" appears on the chair's console, the bridge
 * screen and a delegate's phone; after stopping it disappears everywhere,
 * and the recording plays on the meeting's recordings page with its agenda
 * chapters (no serious axe violations there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../server/src/config.ts';
import { seriousViolations } from './helpers/a11y.ts';
import { DESKTOP, launchChromium, NetworkLog, PHONE } from './helpers/browser.ts';
import { openPage, signIn, stageVideoPlaying } from './helpers/pages.ts';
import { startServer, type E2EServer } from './helpers/server.ts';

let srv: E2EServer;
let browser: Browser;
const log = new NetworkLog();
const errors: string[][] = [];
let chair: Page;
let bridge: Page;
let phone: Page;
let meetingId: number;

async function open(size: 'desktop' | 'phone'): Promise<Page> {
  const o = await openPage(browser, size === 'desktop' ? DESKTOP : PHONE, log, srv.url);
  errors.push(o.errors);
  return o.page;
}
const badge = (p: Page) => p.locator('[data-recording=on]');

beforeAll(async () => {
  srv = await startServer({ recording: { ...loadConfig().recording, segmentSeconds: 2, minFreeMb: 1, stopFreeMb: 0 } });
  browser = await launchChromium();
  meetingId = (srv.app().db.$client.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

describe('recording in the web client', () => {
  it('shows "Đang ghi hình" on every screen while the chair records', async () => {
    chair = await open('desktop');
    await signIn(chair, 'vanphong');
    await chair.goto(`/meetings/${meetingId}/console`);
    await chair.locator('[data-view=console]').waitFor();
    await chair.locator('[data-action=meeting-start]').click();
    await chair.locator('.tag-live').first().waitFor();

    bridge = await open('desktop');
    await signIn(bridge, 'cau.tinh1');
    await bridge.goto(`/meetings/${meetingId}/bridge`);
    await bridge.locator('[data-camera=on]').waitFor({ timeout: 40_000 });
    phone = await open('phone');
    await signIn(phone, 'daibieu01');
    await phone.goto(`/meetings/${meetingId}/delegate`);
    await phone.locator('[data-view=delegate]').waitFor();

    const bp = (srv.app().db.$client.prepare("SELECT b.id FROM bridge_points b JOIN users u ON u.id = b.operator_user_id WHERE u.username = 'cau.tinh1'").get() as { id: number }).id;
    // 213 bridges: the console shows them as chips; pressing one opens its full card.
    await chair.locator(`.bridge-chip[data-bridge="${bp}"] button`).click();
    const card = chair.locator(`.bridge-picked [data-bridge="${bp}"]`);
    // The chair's own hall is on the main stage from the meeting's start: its "to stage" button is spent.
    await expect.poll(() => card.getAttribute('class'), { timeout: 30_000 }).toContain('on-stage');
    expect(await card.locator('button[aria-label^="Đưa lên màn hình chính"]').isDisabled()).toBe(true);
    await expect.poll(() => stageVideoPlaying(chair), { timeout: 40_000 }).toBe(true);

    for (const p of [chair, bridge, phone]) expect(await badge(p).count()).toBe(0);
    await chair.locator('[data-action=recording-start]').click();
    for (const p of [chair, bridge, phone]) await badge(p).first().waitFor({ timeout: 60_000 });
    expect(await badge(bridge).first().textContent()).toContain('Đang ghi hình');

    await new Promise((r) => setTimeout(r, 5000));
    chair.once('dialog', (d) => void d.accept());
    await chair.locator('[data-action=recording-stop]').click();
    for (const p of [chair, bridge, phone]) await expect.poll(() => badge(p).count(), { timeout: 30_000 }).toBe(0);
  }, 240_000);

  it('plays the recording on the meeting’s recordings page with agenda chapters', async () => {
    await expect
      .poll(() => (srv.app().db.$client.prepare("SELECT count(*) AS n FROM recordings WHERE status = 'ready'").get() as { n: number }).n, { timeout: 30_000 })
      .toBe(1);
    await phone.goto(`/meetings/${meetingId}/recordings`);
    await phone.locator('[data-view=recordings]').waitFor();
    await phone.locator('[data-action=recording-play]').click();
    await expect.poll(() => phone.evaluate(() => document.querySelector<HTMLVideoElement>('video.rec-video')?.readyState ?? 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(await phone.locator('[data-chapter]').count()).toBeGreaterThanOrEqual(1);
    expect(await seriousViolations(phone)).toEqual([]);
    expect(errors.flat()).toEqual([]);
    expect(log.foreign(srv.url)).toEqual([]);
  }, 120_000);
});
