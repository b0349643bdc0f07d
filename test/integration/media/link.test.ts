// Weak links: a receiver reporting loss (RTCP receiver reports from the test)
// is stepped down a layer, then to audio only, then back up when it recovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import type { Room } from '../../../server/src/modules/media/room.ts';
import type { ConsumerEntry } from '../../../server/src/modules/media/peer.ts';
import { receiverReport } from '../../../scripts/lib/rtp-packets.ts';
import { bridgeInfo, chairInfo, eventually, whenMature, newService, plainReceiver, plainSender, recorder, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

const M = 41;
const WEAK = { type: 'bridge', bridgePointId: 9 } as const;
let service: MediaService;
let room: Room;
const notifier = recorder();
let cam: PlainSender;
let rx: PlainReceiver;
let video: ConsumerEntry;
let audio: ConsumerEntry;
let loss = 0;
let rrTimer: NodeJS.Timeout;

beforeAll(async () => {
  ({ service } = await newService(
    {
      linkIntervalMs: 150,
      linkThresholds: {
        weakBelow: 7, badBelow: 4, goodAtLeast: 8, heavyLoss: 0.15, someLoss: 0.05,
        enterWeakAfter: 2, stepDownAfter: 2, audioOnlyAfter: 3, recoverAfter: 3,
      },
    },
    notifier,
  ));
  await service.getCapabilities(M, 'chair', chairInfo());
  await service.getCapabilities(M, 'stage', bridgeInfo(1));
  await service.getCapabilities(M, 'weak', bridgeInfo(9));
  room = service.room(M)!;
  cam = await plainSender(room, room.peer('stage')!, { video: true, audio: true }, (req) =>
    service.produce(M, 'stage', req).then(({ producerId }) => room.producerEntry(producerId).producer),
  );
  await service.onFloorChanged(M, { userId: 1, bridgePointId: 1 }, true);
  await whenMature(cam);
  rx = await plainReceiver(room, room.peer('weak')!);
  for (const producerId of [cam.video!.id, cam.audio!.id]) {
    const c = await service.consume(M, 'weak', { transportId: rx.transport.id, producerId });
    await service.setConsumerPaused(M, 'weak', c.consumerId, false);
  }
  [video, audio] = ['video', 'audio'].map((k) => room.peer('weak')!.consumers().find((e) => e.consumer.kind === k)!) as [ConsumerEntry, ConsumerEntry];
  await rx.sink.until(() => rx.sink.lastLayer === 2, WAIT_MS, 'layer 2 on a good link');

  // The "client": a receiver report per stream every 100 ms with the current loss.
  const seen = new Map<number, { received: number; lost: number }>();
  rrTimer = setInterval(() => {
    for (const e of [video, audio]) {
      const ssrc = e.consumer.rtpParameters.encodings![0]!.ssrc!;
      const s = rx.sink.bySsrc.get(ssrc);
      if (!s) continue;
      const prev = seen.get(ssrc) ?? { received: 0, lost: 0 };
      const delta = s.packets - prev.received;
      const lost = prev.lost + Math.round((delta * loss) / (1 - loss));
      seen.set(ssrc, { received: s.packets, lost });
      rx.sink.sendRtcp(receiverReport(0x1234, ssrc, loss, s.highestSeq, lost));
    }
  }, 100);
});

afterAll(() => {
  clearInterval(rrTimer);
  cam?.close();
  rx?.close();
  service?.close();
});

const chairLinks = () => notifier.sent.filter((s) => s.event === 'link:changed' && 'peerId' in s.to && s.to.peerId === 'chair').map((s) => s.payload as { state: string; maxSpatialLayer: number; source: unknown });

describe('link quality', () => {
  it('steps a lossy receiver down a layer, then to the lowest', async () => {
    loss = 0.5;
    await eventually(() => chairLinks().some((l) => l.state === 'weak'), WAIT_MS, 'weak');
    expect(chairLinks()[0]).toMatchObject({ source: WEAK, state: 'weak', maxSpatialLayer: 1 });
    await eventually(() => video.consumer.preferredLayers?.spatialLayer === 1 || video.consumer.preferredLayers?.spatialLayer === 0, WAIT_MS, 'layers stepped down');
    await eventually(() => chairLinks().some((l) => l.maxSpatialLayer === 0), WAIT_MS, 'lowest layer');
  });

  it('switches a persistently bad receiver to audio only', async () => {
    await eventually(() => chairLinks().some((l) => l.state === 'audio-only'), WAIT_MS, 'audio-only');
    expect(video.consumer.paused).toBe(true);
    expect(video.policyPaused).toBe(true);
    expect(audio.consumer.paused).toBe(false);
    // The bridge itself is told too, so its screen can say why the picture stopped.
    expect(notifier.sent.some((s) => s.event === 'link:changed' && 'peerId' in s.to && s.to.peerId === 'weak')).toBe(true);
    const before = rx.sink.bySsrc.get(audio.consumer.rtpParameters.encodings![0]!.ssrc!)!.packets;
    await eventually(() => rx.sink.bySsrc.get(audio.consumer.rtpParameters.encodings![0]!.ssrc!)!.packets > before + 10, WAIT_MS, 'audio still flowing');
  });

  it('brings video back when the link recovers', async () => {
    loss = 0;
    await eventually(() => chairLinks().at(-1)?.state === 'weak', WAIT_MS, 'back to weak');
    expect(video.consumer.paused).toBe(false);
    await eventually(() => chairLinks().at(-1)?.state === 'good', WAIT_MS, 'back to good');
    expect(chairLinks().at(-1)!.maxSpatialLayer).toBe(2);
    await rx.sink.until(() => rx.sink.lastLayer === 2, WAIT_MS, 'layer 2 again');
    expect(service.snapshot(M, true).links.find((l) => l.state)).toBeDefined();
    expect(service.snapshot(M, false).links).toEqual([]);
  });
});
