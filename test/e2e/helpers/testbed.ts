/**
 * The media testbed page (web/src/media/testbed, which uses the reusable client in web/src/media/)
 * in real Chromium (fake camera and mic) against the real server and mediasoup workers: the page is
 * built on its own into a temp dir the app serves as its web root; the chair's page (grid) and the
 * two provincial halls' (camera and mic) join one meeting, which the chair starts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
// Brings in the page's `window.testbed` declaration.
import type {} from '../../../web/src/media/testbed/testbed.ts';
import { loadConfig, type Config } from '../../../server/src/config.ts';
import { until } from '../../../scripts/lib/until.ts';
import { buildTestApp, login, type TestApp } from '../../helpers/app.ts';
import { demo, type Demo } from '../../integration/conference/helpers.ts';
import { DESKTOP, launchChromium } from './browser.ts';

const webDir = join(resolve(import.meta.dirname, '..', '..', '..'), 'web');

/** Sends a command from the page's socket and resolves with the ack's data. */
export const cmd = (page: Page, name: string, payload: unknown) =>
  page.evaluate(([n, p]) => window.testbed.request(n as never, p as never), [name, payload] as const) as Promise<any>;
/** The producers the page publishes. */
export const own = (page: Page) => page.evaluate(() => window.testbed.own());

export interface TestbedOptions {
  /** Prefix of the temp dir the page is built into. */
  name: string;
  /** mediasoup workers and RTC port range (each test file its own, so files may run side by side). */
  mediasoup: Pick<Config['mediasoup'], 'numWorkers' | 'rtcMinPort' | 'rtcMaxPort'>;
  /** Other config overrides. */
  config?: Partial<Config>;
  /** How long each page may take to load, join and publish. */
  joinTimeoutMs: number;
}

export interface Testbed {
  t: TestApp;
  d: Demo;
  browser: Browser;
  /** Uncaught errors of every page opened. */
  errors: string[];
  /** The chair's page, showing the grid. */
  chair: Page;
  /** cau.tinh1's page (the chair's hall), publishing camera and mic. */
  bridgeA: Page;
  /** cau.tinh2's page, publishing camera and mic. */
  bridgeB: Page;
  /** Opens the testbed page signed in with `token`; `opts` is its query (grid=1, publish=av). */
  open(token: string, opts: string): Promise<Page>;
  close(): Promise<void>;
}

/** Builds the testbed page into a new temp dir (prefix `name`) and returns it; the caller removes it. */
export function buildTestbedPage(name: string): string {
  const bundleDir = mkdtempSync(join(tmpdir(), name));
  try {
    execFileSync(process.execPath, [join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'src/media/testbed', '--outDir', bundleDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: webDir,
      stdio: 'inherit',
    });
  } catch (e) {
    rmSync(bundleDir, { recursive: true, force: true });
    throw e;
  }
  return bundleDir;
}

export async function startTestbed(o: TestbedOptions): Promise<Testbed> {
  const bundleDir = buildTestbedPage(o.name);
  const errors: string[] = [];
  let t: TestApp | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await t?.close();
    rmSync(bundleDir, { recursive: true, force: true });
  };
  try {
    t = await buildTestApp({
      config: { ...o.config, webDistDir: bundleDir, mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, ...o.mediasoup } },
    });
    // localhost is a secure context, so getUserMedia works over plain http.
    const url = (await t.listen()).replace('127.0.0.1', 'localhost');
    const d = demo(t);
    const b = (browser = await launchChromium());
    const open = async (token: string, opts: string): Promise<Page> => {
      const ctx = await b.newContext({ ...DESKTOP, permissions: ['camera', 'microphone'] });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/?token=${encodeURIComponent(token)}&meeting=${d.meetingId}&${opts}`);
      return page;
    };
    const chair = await open(await login(t.app, 'vanphong'), 'grid=1');
    const bridgeA = await open(await login(t.app, 'cau.tinh1'), 'publish=av');
    const bridgeB = await open(await login(t.app, 'cau.tinh2'), 'publish=av');
    await until(() => chair.evaluate(() => typeof window.testbed === 'object'), Boolean, 'chair page loaded', o.joinTimeoutMs);
    await cmd(chair, 'meeting:start', { meetingId: d.meetingId });
    for (const p of [chair, bridgeA, bridgeB]) await until(() => p.evaluate(() => window.testbed.ready()), Boolean, 'media joined', o.joinTimeoutMs);
    for (const p of [bridgeA, bridgeB]) await until(() => own(p), (v) => !!v.video && !!v.audio, 'camera and mic published', o.joinTimeoutMs);
    return { t, d, browser: b, errors, chair, bridgeA, bridgeB, open, close };
  } catch (e) {
    await close();
    throw e;
  }
}
