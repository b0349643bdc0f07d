/**
 * Recording a meeting held in real Chromium (fake camera and mic) against the
 * real server, mediasoup and Debian ffmpeg: two bridge pages publish, the
 * chair opens their mics and puts bridge A on the main stage, records about
 * 10 s and switches the stage to bridge B half-way. The file has one video
 * and one audio stream, lasts as long as the recording ran (within a
 * second), and its audio is not silent.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type {} from '../../web/src/media/testbed/testbed.ts';
import { bearer, buildTestApp, login, type TestApp } from '../helpers/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { demo, type Demo } from '../integration/conference/helpers.ts';
import { ffprobe, meanVolume, until } from '../integration/recording/support.ts';
import { DESKTOP, launchChromium } from './helpers/browser.ts';

const webDir = join(resolve(import.meta.dirname, '..', '..'), 'web');
const bundleDir = mkdtempSync(join(tmpdir(), 'diemcau-rec-testbed-'));
let t: TestApp;
let d: Demo;
let browser: Browser;
let chair: Page;
const pages: Page[] = [];
const errors: string[] = [];

async function open(token: string, opts: string): Promise<Page> {
  const ctx = await browser.newContext({ ...DESKTOP, permissions: ['camera', 'microphone'] });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${t.url.replace('127.0.0.1', 'localhost')}/?token=${encodeURIComponent(token)}&meeting=${d.meetingId}&${opts}`);
  pages.push(page);
  return page;
}
const cmd = (page: Page, name: string, payload: unknown) =>
  page.evaluate(([n, p]) => window.testbed.request(n as never, p as never), [name, payload] as const) as Promise<any>;
const own = (page: Page) => page.evaluate(() => window.testbed.own());

beforeAll(async () => {
  execFileSync(process.execPath, [join(webDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'src/media/testbed', '--outDir', bundleDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: webDir, stdio: 'inherit' });
  t = await buildTestApp({
    config: {
      webDistDir: bundleDir,
      mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1, rtcMinPort: 47000, rtcMaxPort: 47999 },
      recording: { ...loadConfig().recording, segmentSeconds: 2, minFreeMb: 1, stopFreeMb: 0 },
    },
  });
  await t.listen();
  d = demo(t);
  browser = await launchChromium();
  chair = await open(await login(t.app, 'vanphong'), 'grid=1');
  const a = await open(await login(t.app, 'cau.tinh1'), 'publish=av');
  const b = await open(await login(t.app, 'cau.tinh2'), 'publish=av');
  await until(() => chair.evaluate(() => typeof window.testbed === 'object'), Boolean, 'chair page loaded');
  await cmd(chair, 'meeting:start', { meetingId: d.meetingId });
  for (const p of pages) await until(() => p.evaluate(() => window.testbed.ready()), Boolean, 'media joined', 60_000);
  for (const p of [a, b]) await until(() => own(p), (o) => !!o.video && !!o.audio, 'camera and mic published', 60_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('recording a browser meeting', () => {
  it('records ~10 s with a stage switch: one video and one audio stream, the right length, audible', async () => {
    const bpA = d.bridgeOf('cau.tinh1');
    const bpB = d.bridgeOf('cau.tinh2');
    // The chair opens both bridges' microphones and puts bridge A on the main stage.
    for (const bp of [bpA, bpB]) await cmd(chair, 'media:mute', { source: { type: 'bridge', bridgePointId: bp }, muted: false });
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpA } });
    const headers = bearer(await login(t.app, 'vanphong'));
    const started = await t.app.inject({ method: 'POST', url: `/api/meetings/${d.meetingId}/recording/start`, headers });
    expect(started.statusCode, started.body).toBe(200);
    const t0 = started.json().startedAt as number;

    await until(() => Date.now() - t0, (ms) => ms >= 5000, '5 s recorded');
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpB } });
    const bVideo = (await own(pages[2]!)).video;
    await until(() => t.app.recording.counters(d.meetingId)[0], (c) => c?.producerId === bVideo, 'the recorder follows the stage to bridge B', 5000);
    await until(() => Date.now() - t0, (ms) => ms >= 10_000, '10 s recorded');
    const expected = (Date.now() - t0) / 1000;
    const stopped = await t.app.inject({ method: 'POST', url: `/api/meetings/${d.meetingId}/recording/stop`, headers });
    expect(stopped.statusCode, stopped.body).toBe(200);
    expect(stopped.json().status).toBe('ready');

    const row = t.app.db.$client.prepare('SELECT dir FROM recordings WHERE id = ?').get(stopped.json().id) as { dir: string };
    const file = join(t.dataDir, 'recordings', row.dir, 'recording.webm');
    const p = await ffprobe(file);
    expect(p.streams).toEqual(['audio', 'video']);
    expect(Math.abs(p.durationS - expected)).toBeLessThan(1);
    // Chromium's fake microphone beeps: the mix is far from digital silence (-91 dB).
    expect(await meanVolume(file)).toBeGreaterThan(-60);
    expect(errors).toEqual([]);
  }, 120_000);
});
