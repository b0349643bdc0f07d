/**
 * First frame on a bridge screen: page open → first decoded frame of the main
 * stage, in headless Chromium against the real server on loopback.
 *
 *   measured: a commune operator's bridge screen, which publishes its own camera and mic
 *   baseline: the same page opened by the secretariat, which publishes nothing
 *
 * Both legs run interleaved, RUNS times each, in one server and one browser;
 * the ratio of the medians says what publishing costs the first frame (1.00:
 * nothing — the stage is consumed while the camera is still being published).
 * Usage: pnpm bench:first-frame [-- --runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { PROTOCOL_VERSION } from '../shared/src/protocol.ts';
import { buildApp, type App } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { DEMO_PASSWORDS } from '../server/src/db/seed-data.ts';
import { ensureWebBuilt } from './build.mjs';
import { ensureDebianPackages } from './lib/ensure-debian.mjs';
import { median, printRatio, type Leg } from './lib/bench-ratio.ts';
import { launchChromium } from './lib/chromium.ts';
import { freePort } from './lib/net.ts';
import { until } from './lib/until.ts';

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
const TIMEOUT_MS = 60_000;


async function login(app: App, username: string, role: keyof typeof DEMO_PASSWORDS): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORDS[role] } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

function command<T>(socket: Socket, name: string, payload: unknown): Promise<T> {
  return new Promise((res, rej) =>
    socket.timeout(TIMEOUT_MS).emit(name, payload, (err: Error | null, ack: { ok: boolean; data?: T; error?: { code: string; message: string } }) => {
      if (err) rej(err);
      else if (!ack.ok) rej(new Error(`${name}: ${ack.error?.code} ${ack.error?.message}`));
      else res(ack.data as T);
    }),
  );
}

/** A browser context signed in with `token` (the session cookie), fake camera and mic allowed. */
async function signedIn(browser: Browser, base: string, token: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width: 1366, height: 768 }, locale: 'vi-VN', permissions: ['camera', 'microphone'] });
  await ctx.addCookies([{ name: 'dc_session', value: token, url: base }]);
  return ctx;
}

/** Opens the bridge screen and returns page open → first decoded stage frame, in ms (the page's own clock). */
async function firstFrame(page: Page, meetingId: number): Promise<number> {
  await page.goto(`/meetings/${meetingId}/bridge`);
  if (process.env.BENCH_DEBUG) {
    const v = await page.waitForFunction(() => (document.querySelector('[data-view=bridge]') ? performance.now() : false), undefined, { polling: 'raf', timeout: TIMEOUT_MS });
    const st = await page.waitForFunction(() => (document.querySelector('.stage video:not([hidden])') ? performance.now() : false), undefined, { polling: 'raf', timeout: TIMEOUT_MS });
    console.error(`  view at ${(await v.jsonValue()) as number} ms, stage track at ${(await st.jsonValue()) as number} ms`);
  }
  const t = await page.waitForFunction(
    () => {
      const v = document.querySelector<HTMLVideoElement>('.stage video');
      return v && !v.hidden && v.readyState >= 2 && v.videoWidth > 0 ? performance.now() : false;
    },
    undefined,
    { polling: 'raf', timeout: TIMEOUT_MS },
  );
  return (await t.jsonValue()) as number;
}

async function main(): Promise<void> {
  if (!ensureDebianPackages({ chromium: '/usr/bin/chromium' })) process.exit(1);
  const dataDir = mkdtempSync(join(tmpdir(), 'diemcau-bench-ff-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const defaults = loadConfig({}, { dataDir });
  const config = loadConfig({}, {
    dataDir,
    port,
    logLevel: 'warn',
    seedDemo: true,
    seedReportHistory: false,
    webDistDir: ensureWebBuilt(),
    publicBaseUrl: base,
    maxSocketsPerUser: 50,
    mediasoup: { ...defaults.mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1 },
  });
  const app = await buildApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port });
  let browser: Browser | undefined;
  let chair: Socket | undefined;
  const legs = { baseline: [] as number[], subject: [] as number[] };
  const errors = { baseline: [] as string[], subject: [] as string[] };
  try {
    const sql = app.db.$client;
    const meetingId = (sql.prepare('SELECT id FROM meetings ORDER BY id LIMIT 1').get() as { id: number }).id;
    const bridgeOf = (u: string) => (sql.prepare('SELECT bp.id FROM bridge_points bp JOIN users u ON u.id = bp.operator_user_id WHERE u.username = ?').get(u) as { id: number }).id;
    // Operators of the first communes, one per run, so no run inherits another's server-side state.
    const communeOps = (sql.prepare(`SELECT u.username FROM users u JOIN bridge_points bp ON bp.operator_user_id = u.id WHERE bp.level = 'commune' ORDER BY bp.id LIMIT ?`).all(RUNS) as { username: string }[]).map((r) => r.username);

    const chairToken = await login(app, 'vanphong', 'secretariat');
    chair = io(base, { auth: { protocol: PROTOCOL_VERSION, token: chairToken }, transports: ['websocket'], reconnection: false, extraHeaders: { origin: base } });
    let hallVideo = false;
    chair.on('producer:added', (p: { kind: string; source: { bridgePointId?: number } }) => {
      if (p.kind === 'video' && p.source.bridgePointId === bridgeOf('cau.tinh1')) hallVideo = true;
    });
    await command(chair, 'meeting:join', { meetingId });
    await command(chair, 'meeting:start', { meetingId });
    // Stage commands come from a member of the media room.
    await command(chair, 'media:get-capabilities', {});

    browser = await launchChromium();
    // The provincial hall publishes its camera; the chair puts it on the main stage.
    const hall = await signedIn(browser, base, await login(app, 'cau.tinh1', 'bridge_operator'));
    await (await hall.newPage()).goto(`/meetings/${meetingId}/bridge`);
    const tinh = bridgeOf('cau.tinh1');
    await until(() => hallVideo, Boolean, 'the provincial hall camera', TIMEOUT_MS, 200);
    await command(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: tinh } });

    for (let i = 0; i < RUNS; i++) {
      for (const leg of ['baseline', 'subject'] as const) {
        const token = leg === 'baseline' ? chairToken : await login(app, communeOps[i]!, 'bridge_operator');
        const ctx = await signedIn(browser, base, token);
        try {
          legs[leg].push(await firstFrame(await ctx.newPage(), meetingId));
        } catch (e) {
          errors[leg].push((e as Error).message);
        } finally {
          await ctx.close();
        }
      }
    }
  } finally {
    chair?.close();
    await browser?.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const leg = (label: string, xs: number[], errs: string[]): Leg => ({ label, attempted: RUNS, succeeded: xs.length, firstError: errs[0] });
  const b = leg('receive-only bridge screen (secretariat)', legs.baseline, errors.baseline);
  const s = leg('publishing bridge screen (commune operator)', legs.subject, errors.subject);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`bench-first-frame: ${RUNS} runs each, page open → first decoded main-stage frame`);
  console.log(`  baseline ${b.label}: median ${legs.baseline.length ? median(legs.baseline).toFixed(0) : '—'} ms [${fmt(legs.baseline)}]`);
  console.log(`  measured ${s.label}: median ${legs.subject.length ? median(legs.subject).toFixed(0) : '—'} ms [${fmt(legs.subject)}]`);
  printRatio('bench-first-frame', 'first frame, publishing / receive-only (median)', { baseline: b, subject: s }, median(legs.subject) / median(legs.baseline));
}

await main();
