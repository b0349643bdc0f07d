/**
 * Debian Chromium driven by playwright-core (no downloaded browsers), with
 * fake camera/mic, a network log and screenshots under test-output/e2e/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { repoRoot } from './server.ts';

export { CHROMIUM, CHROMIUM_ARGS, launchChromium } from '../../../scripts/lib/chromium.ts';

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'vi-VN',
  timezoneId: 'Asia/Ho_Chi_Minh',
};

export const outputDir = join(repoRoot, 'test-output', 'e2e');

/** Every URL any page of the context requested (including WebSocket upgrades). */
export class NetworkLog {
  readonly urls: string[] = [];
  attach(ctx: BrowserContext): void {
    ctx.on('request', (r) => this.urls.push(r.url()));
    ctx.on('page', (p) => p.on('websocket', (ws) => this.urls.push(ws.url())));
  }
  /** Requests to anything but `origin` (data: and blob: URLs stay inside the page). */
  foreign(origin: string): string[] {
    const host = new URL(origin).host;
    return this.urls.filter((u) => !/^(data|blob|about):/.test(u) && new URL(u).host !== host);
  }
}

export async function newContext(browser: Browser, opts: BrowserContextOptions, log: NetworkLog, baseURL: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ ...opts, baseURL, permissions: ['camera', 'microphone'], acceptDownloads: true });
  // Playwright's 30 s default for each wait and action is tight when two suites share two cores.
  ctx.setDefaultTimeout(60_000);
  log.attach(ctx);
  return ctx;
}

/** Saves `<name>-<size>.png`. */
export async function shot(page: Page, name: string, size: 'desktop' | 'phone'): Promise<void> {
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: join(outputDir, `${name}-${size}.png`), fullPage: true });
}

/** Screenshots the page at both sizes, then restores its viewport. */
export async function shotBoth(page: Page, name: string): Promise<void> {
  // A page behind the others may get no compositor frame for a screenshot while two cores are busy
  // (seen: a 60 s screenshot timeout beside two full suites); in front it paints.
  await page.bringToFront();
  const original = page.viewportSize();
  await page.setViewportSize(DESKTOP.viewport!);
  await page.waitForTimeout(150);
  await shot(page, name, 'desktop');
  await page.setViewportSize(PHONE.viewport!);
  await page.waitForTimeout(150);
  await shot(page, name, 'phone');
  if (original) await page.setViewportSize(original);
}
