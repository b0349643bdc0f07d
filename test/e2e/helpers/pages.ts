/** Page-level steps shared by the browser tests: sign in, wait for live state, read the connection badge. */
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { demoPassword } from '../../helpers/app.ts';
import { NetworkLog, newContext } from './browser.ts';
import { withDeadline } from '../../../scripts/lib/until.ts';

export interface Opened {
  page: Page;
  /** Uncaught page errors; a test fails if any appear. */
  errors: string[];
}

/** A fresh context (own cookies) with one page; page errors are collected. */
export async function openPage(browser: Browser, opts: BrowserContextOptions, log: NetworkLog, baseURL: string): Promise<Opened> {
  const ctx = await newContext(browser, opts, log, baseURL);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(demoPassword(username));
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Waits until the connection badge shows `state`. */
export async function connState(page: Page, state: 'online' | 'offline' | 'connecting', timeout = 20_000): Promise<void> {
  await page.locator(`[data-conn="${state}"]`).first().waitFor({ timeout });
}

/** The agenda item a live view currently shows. */
export async function currentItem(page: Page): Promise<string | null> {
  return page.locator('[data-current-item]').first().getAttribute('data-current-item');
}

/** Whether the main stage shows a playing video with real frames. */
export async function stageVideoPlaying(page: Page): Promise<boolean> {
  // Bounded: expect.poll waits for a pending read even past its own timeout.
  const read = page.evaluate(() => {
    const v = document.querySelector<HTMLVideoElement>('.stage video');
    return !!v && !v.hidden && v.readyState >= 2 && v.videoWidth > 0 && !v.paused;
  });
  return withDeadline(read, 10_000, 'reading the stage video');
}

/** Bytes received per consumed audio producer (the page's media diagnostics). */
export async function audioBytes(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    type Stat = { producerId: string; kind: string; bytesReceived: number };
    const w = window as unknown as { diemcauMediaStats?: () => Promise<Stat[]> };
    const stats = (await w.diemcauMediaStats?.()) ?? [];
    return Object.fromEntries(stats.filter((s) => s.kind === 'audio').map((s) => [s.producerId, s.bytesReceived]));
  });
}
