/**
 * The video conference in real Chromium (fake camera and mic) against the real
 * server and mediasoup workers: a chair page and two bridge pages join one
 * meeting through the media testbed page (web/src/media/testbed), which uses
 * the reusable client in web/src/media/.
 *
 * - every page decodes the main-stage video (getStats framesDecoded grows);
 * - granting the floor to bridge B makes its audio arrive at the others;
 * - granting the floor to a commune bridge puts it on another bridge's main stage
 *   (decoded frames from its producer), and revoking returns the stage to the chair's hall;
 * - the chair's grid receives the lowest simulcast layer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { InboundStats } from '../../web/src/media/conference-media.ts';
// Brings in the page's `window.testbed` declaration.
import type {} from '../../web/src/media/testbed/testbed.ts';
import { login, type TestApp } from '../helpers/app.ts';
import type { Demo } from '../integration/conference/helpers.ts';
import { until } from '../../scripts/lib/until.ts';
import { cmd, own, startTestbed, type Testbed } from './helpers/testbed.ts';

let tb: Testbed | undefined;
let t: TestApp;
let d: Demo;
let errors: string[];
let chair: Page;
let bridgeA: Page;
let bridgeB: Page;
let bpA: number;
let bpB: number;

const stats = (page: Page) => page.evaluate(() => window.testbed.stats()) as Promise<InboundStats[]>;
const statOf = async (page: Page, producerId: string) => (await stats(page)).find((s) => s.producerId === producerId);

/** framesDecoded for `producerId` at `page` keeps growing (polled, so a loaded CI machine gets time). */
async function decodes(page: Page, producerId: string, what: string): Promise<InboundStats> {
  const first = await until(() => statOf(page, producerId), (s) => !!s && s.framesDecoded > 0, `${what}: first decoded frames`);
  return until(() => statOf(page, producerId), (s) => !!s && s.framesDecoded >= first!.framesDecoded + 10, `${what}: framesDecoded grows`) as Promise<InboundStats>;
}

beforeAll(async () => {
  tb = await startTestbed({ name: 'diemcau-media-testbed-', mediasoup: { numWorkers: 2, rtcMinPort: 44000, rtcMaxPort: 44999 }, joinTimeoutMs: 20_000 });
  ({ t, d, errors, chair, bridgeA, bridgeB } = tb);
  bpA = d.bridgeOf('cau.tinh1');
  bpB = d.bridgeOf('cau.tinh2');
}, 120_000);

afterAll(async () => {
  await tb?.close();
});

describe('video conference in the browser', () => {
  it('every page decodes the main stage', async () => {
    const a = await own(bridgeA);
    const b = await own(bridgeB);
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpA } });
    await decodes(chair, a.video!, 'chair sees bridge A on stage');
    await decodes(bridgeB, a.video!, 'bridge B sees bridge A on stage');
    // Bridge A is on stage itself; put B on stage and A decodes it too.
    await cmd(chair, 'stage:set', { source: { type: 'bridge', bridgePointId: bpB } });
    await decodes(bridgeA, b.video!, 'bridge A sees bridge B on stage');
    await decodes(chair, b.video!, 'chair sees bridge B on stage');
    expect(errors).toEqual([]);
  }, 90_000);

  it("the chair's grid receives the lowest simulcast layer", async () => {
    const a = await own(bridgeA);
    // B is on stage; A is only in the chair's grid.
    const grid = await decodes(chair, a.video!, 'chair grid shows bridge A');
    const room = t.app.media.started()!.room(d.meetingId)!;
    const producer = room.producerEntry(a.video!).producer;
    expect(producer.type).toBe('simulcast');
    const chairPeer = room.peers().find((p) => p.info.chair)!;
    const consumer = chairPeer.consumers().find((c) => c.consumer.producerId === a.video)!.consumer;
    expect(consumer.preferredLayers?.spatialLayer).toBe(0);
    // The stage (bridge B) is asked for at the top layer; bandwidth estimation decides how soon it gets there.
    const b = await own(bridgeB);
    expect(chairPeer.consumers().find((c) => c.consumer.producerId === b.video)!.consumer.preferredLayers?.spatialLayer).toBe(2);
    await until(async () => consumer.currentLayers?.spatialLayer, (l) => l === 0, 'grid consumer on layer 0');
    // The lowest layer is the camera scaled down 4x.
    const sent = (await producer.getStats()).map((s) => s.ssrc);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(grid.frameWidth).toBeGreaterThan(0);
    expect(grid.frameWidth).toBeLessThanOrEqual(320);
  }, 60_000);

  it('granting the floor to bridge B makes its audio arrive at the others', async () => {
    const b = await own(bridgeB);
    const mic = t.app.media.started()!.room(d.meetingId)!.producerEntry(b.audio!).producer;
    expect(mic.paused).toBe(true);
    // Nobody receives a closed mic.
    expect(await statOf(chair, b.audio!)).toBeUndefined();
    expect(await statOf(bridgeA, b.audio!)).toBeUndefined();

    const request = await cmd(bridgeB, 'floor:request', { meetingId: d.meetingId, topic: 'Phát biểu' });
    await cmd(chair, 'floor:grant', { meetingId: d.meetingId, requestId: request.id });
    for (const [page, who] of [[chair, 'chair'], [bridgeA, 'bridge A']] as const) {
      const first = await until(() => statOf(page, b.audio!), (s) => !!s && s.bytesReceived > 0, `${who} receives bridge B's audio`);
      await until(() => statOf(page, b.audio!), (s) => !!s && s.bytesReceived > first!.bytesReceived + 1000, `${who}: audio bytes grow`);
    }
    // The fake microphone beeps: real sound energy reaches the chair.
    await until(() => statOf(chair, b.audio!), (s) => !!s && s.totalAudioEnergy > 0, 'audio energy at the chair');

    await cmd(chair, 'floor:revoke', { meetingId: d.meetingId });
    await until(async () => mic.paused, Boolean, 'mic paused after revoke');
    expect(errors).toEqual([]);
  }, 60_000);

  it("granting the floor to a commune bridge switches another bridge's main stage to it; revoking returns it to the chair's hall", async () => {
    const stageProducer = (page: Page) => page.evaluate(() => (document.querySelector('#stage video') as HTMLVideoElement | null)?.dataset.producer ?? null);
    const commune = await tb!.open(await login(t.app, 'cau.99101'), 'publish=av');
    await until(() => commune.evaluate(() => typeof window.testbed === 'object' && window.testbed.ready()), Boolean, 'commune bridge joined');
    const c = await until(() => own(commune), (o) => !!o.video, 'commune camera published');
    const a = await own(bridgeA);
    // Nobody has the floor and the stage follows it: it rests on the chair's hall (cau.tinh1).
    await until(() => bridgeB.evaluate(() => window.testbed.state().stage.videoProducerId), (id) => id === a.video, "stage on the chair's hall");

    const request = await cmd(commune, 'floor:request', { meetingId: d.meetingId, topic: 'Ý kiến của xã' });
    await cmd(chair, 'floor:grant', { meetingId: d.meetingId, requestId: request.id });
    // In bridge B's browser the main stage element now plays the commune's camera, and its frames decode.
    await until(() => stageProducer(bridgeB), (id) => id === c.video, "bridge B's stage element shows the commune");
    await decodes(bridgeB, c.video!, 'bridge B decodes the commune on stage');
    expect((await bridgeB.evaluate(() => window.testbed.state().stage)).source).toEqual({ type: 'bridge', bridgePointId: d.bridgeOf('cau.99101') });

    await cmd(chair, 'floor:revoke', { meetingId: d.meetingId });
    await until(() => stageProducer(bridgeB), (id) => id === a.video, "bridge B's stage back on the chair's hall");
    await decodes(bridgeB, a.video!, "bridge B decodes the chair's hall again");
    await commune.context().close();
    expect(errors).toEqual([]);
  }, 240_000);
});
