/**
 * Media across nodes in real Chromium (issue 12): two nodes (in-process apps on two loopback
 * ports, each with its own mediasoup worker) share one Redis and one CLUSTER_SECRET. The chair
 * and the chair's hall (cau.tinh1, camera and mic) are connected to node A; the hall takes the
 * main stage and the floor. A bridge page (cau.tinh2) connected to node B must decode the hall's
 * main-stage video and hear its floor audio, piped from A to B by the nodes on their own.
 *
 * Then node B stops: the bridge's socket reconnects to node A (the page tries the next node, as
 * a reverse proxy would), its media is set up again there, and the stage decodes again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { InboundStats } from '../../web/src/media/conference-media.ts';
// Brings in the page's `window.testbed` declaration.
import type {} from '../../web/src/media/testbed/testbed.ts';
import { startRedis, type RedisService } from '../../scripts/lib/services.mjs';
import { freePort } from '../../scripts/lib/net.ts';
import { until } from '../../scripts/lib/until.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { buildTestApp, login, type TestApp } from '../helpers/app.ts';
import { demo, type Demo } from '../integration/conference/helpers.ts';
import { DESKTOP, launchChromium } from './helpers/browser.ts';
import { buildTestbedPage, cmd, own } from './helpers/testbed.ts';

/** Per condition: three Chromium pages and two nodes share two busy cores. */
const WAIT = 60_000;
const SECRET = 'e2e-cluster-secret-0123456789-abcdef';

let redis: RedisService | undefined;
let dataDir: string | undefined;
let bundleDir: string | undefined;
let browser: Browser | undefined;
let A: TestApp | undefined;
let B: TestApp | undefined;
let d: Demo;
const errors: string[] = [];
let chair: Page;
let hall: Page;
let commune: Page;

const stats = (page: Page) => page.evaluate(() => window.testbed.stats()) as Promise<InboundStats[]>;
const statOf = async (page: Page, producerId: string) => (await stats(page)).find((s) => s.producerId === producerId);

/** framesDecoded for `producerId` at `page` keeps growing. */
async function decodes(page: Page, producerId: string, what: string): Promise<void> {
  const first = await until(() => statOf(page, producerId), (s) => !!s && s.framesDecoded > 0, `${what}: first decoded frames`, WAIT);
  await until(() => statOf(page, producerId), (s) => !!s && s.framesDecoded >= first!.framesDecoded + 10, `${what}: framesDecoded grows`, WAIT);
}

/** Audio from `producerId` arrives at `page` and carries sound (the fake mic beeps). */
async function hears(page: Page, producerId: string, what: string): Promise<void> {
  const first = await until(() => statOf(page, producerId), (s) => !!s && s.totalSamplesReceived > 0, `${what}: first samples`, WAIT);
  await until(() => statOf(page, producerId), (s) => !!s && s.totalSamplesReceived > first!.totalSamplesReceived + 48_000, `${what}: samples keep coming`, WAIT);
  await until(() => statOf(page, producerId), (s) => !!s && s.totalAudioEnergy > 0, `${what}: sound energy`, WAIT);
}

const nodeConfig = (nodeId: string, redisUrl: string, rtcMinPort: number, origins: string[]): Partial<Config> => ({
  redisUrl,
  // A page of either node may talk to both (its socket moves when its node goes), as behind one proxy name.
  allowedOrigins: origins,
  webDistDir: bundleDir!,
  mediasoup: { ...loadConfig().mediasoup, listenIp: '127.0.0.1', announcedIp: null, numWorkers: 1, rtcMinPort, rtcMaxPort: rtcMinPort + 499 },
  cluster: { ...loadConfig().cluster, secret: SECRET, nodeId, nodeUrl: null, pipeListenIp: '127.0.0.1', requestTimeoutMs: 10_000, heartbeatMs: 500 },
});

async function open(baseUrl: string, token: string, opts: string): Promise<Page> {
  const ctx = await browser!.newContext({ ...DESKTOP, permissions: ['camera', 'microphone'] });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/?token=${encodeURIComponent(token)}&meeting=${d.meetingId}&${opts}`);
  return page;
}
const joined = (p: Page, what: string) => until(() => p.evaluate(() => typeof window.testbed === 'object' && window.testbed.ready()), Boolean, what, WAIT);

beforeAll(async () => {
  redis = await startRedis();
  bundleDir = buildTestbedPage('diemcau-xnode-testbed-');
  dataDir = mkdtempSync(join(tmpdir(), 'diemcau-xnode-'));
  const [portA, portB] = [await freePort(), await freePort()];
  // localhost is a secure context, so getUserMedia works over plain http.
  const [urlA, urlB] = [`http://localhost:${portA}`, `http://localhost:${portB}`];
  // One after the other: the first migrates and seeds the shared SQLite file.
  A = await buildTestApp({ dataDir, config: nodeConfig('node-a', redis.url, 48000, [urlA, urlB]) });
  B = await buildTestApp({ dataDir, config: nodeConfig('node-b', redis.url, 48500, [urlA, urlB]) });
  for (const [t, port] of [[A, portA], [B, portB]] as const) {
    await t.app.listen({ host: '127.0.0.1', port });
    t.url = `http://127.0.0.1:${port}`;
  }
  d = demo(A);
  browser = await launchChromium();
  chair = await open(urlA, await login(A.app, 'vanphong'), 'grid=0');
  await until(() => chair.evaluate(() => typeof window.testbed === 'object'), Boolean, 'chair page loaded', WAIT);
  // The page joins the meeting once its socket connects; until then the command is refused ("Join a meeting first").
  await until(() => cmd(chair, 'meeting:start', { meetingId: d.meetingId }).then(() => true, () => false), Boolean, 'the chair starts the meeting', WAIT);
  hall = await open(urlA, await login(A.app, 'cau.tinh1'), 'publish=av');
  // The commune's page is served by node B and its socket goes there; when B goes, it tries A.
  commune = await open(urlB, await login(B.app, 'cau.tinh2'), `nodes=${encodeURIComponent(`${urlB},${urlA}`)}`);
  for (const [p, who] of [[chair, 'chair'], [hall, 'hall'], [commune, 'commune on node B']] as const) await joined(p, `${who} joined the media`);
  await until(() => own(hall), (v) => !!v.video && !!v.audio, 'hall camera and mic published', WAIT);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await B?.close({ keepData: true });
  await A?.close({ keepData: true });
  await redis?.stop();
  for (const dir of [dataDir, bundleDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('media across nodes in the browser', () => {
  it("a bridge on node B decodes the main stage and hears the floor of the hall on node A", async () => {
    const h = await own(hall);
    const bpHall = d.bridgeOf('cau.tinh1');
    // The hall takes the main stage and the floor (the chair grants its request), all on node A.
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpHall } });
    const request = await cmd(hall, 'floor:request', { meetingId: d.meetingId, topic: 'Phát biểu' });
    await cmd(chair, 'floor:grant', { meetingId: d.meetingId, requestId: request.id });

    // Node B's room holds the hall's streams under the same ids, piped from A, not made there.
    const roomB = () => B!.app.media.started()?.room(d.meetingId) ?? null;
    await until(async () => roomB()?.producerEntries().map((e) => e.producer.id) ?? [], (ids) => ids.includes(h.video!) && ids.includes(h.audio!), "the hall's streams on node B", WAIT);
    expect(roomB()!.producerEntry(h.video!).peer.remote).toBe(true);
    expect(await commune.evaluate(() => window.testbed.state().stage.videoProducerId)).toBe(h.video);

    await decodes(commune, h.video!, 'the commune on node B decodes the stage from node A');
    await hears(commune, h.audio!, 'the commune on node B hears the floor from node A');
    expect(errors).toEqual([]);
  }, 240_000);

  it('when node B stops, the bridge reconnects to node A and its media resumes there', async () => {
    const h = await own(hall);
    const sA = A!.app.media.started()!;
    const urlB = B!.url;
    await B!.close({ keepData: true });
    B = undefined;
    // The page's socket lands on A, which runs the join again; the stage comes straight from A's room.
    await until(() => sA.room(d.meetingId)?.peers().filter((p) => p.info.bridgePointId === d.bridgeOf('cau.tinh2')).length ?? 0, (n) => n > 0, 'the commune back in the room on node A', WAIT);
    await decodes(commune, h.video!, 'the commune decodes the stage again, now from node A');
    await hears(commune, h.audio!, 'the commune hears the floor again');
    // A no longer sends anything to the node that went.
    await until(async () => sA.cluster!.existingPipe(urlB), (p) => p === null, 'the pipe to node B closed', WAIT);
    expect(errors).toEqual([]);
  }, 240_000);
});
