// The floor and the chair gate a bridge's mic producer on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { bridgeInfo, chairInfo, expectCode, newService, plainReceiver, plainSender, recorder, sleep, type PlainReceiver, type PlainSender, WAIT_MS } from './support.ts';

const M = 11;
const B = { type: 'bridge', bridgePointId: 21 } as const;
let service: MediaService;
const notifier = recorder();
let mic: PlainSender;
let rx: PlainReceiver;

beforeAll(async () => {
  ({ service } = await newService({}, notifier));
  await service.getCapabilities(M, 'chair', chairInfo());
  await service.getCapabilities(M, 'b', bridgeInfo(21));
  const room = service.room(M)!;
  mic = await plainSender(room, room.peer('b')!, { audio: true, level: 10 }, (req) =>
    service.produce(M, 'b', req).then(({ producerId }) => room.producerEntry(producerId).producer),
  );
  rx = await plainReceiver(room, room.peer('chair')!);
  const c = await service.consume(M, 'chair', { transportId: rx.transport.id, producerId: mic.audio!.id });
  await service.setConsumerPaused(M, 'chair', c.consumerId, false);
});

afterAll(() => {
  mic?.close();
  rx?.close();
  service?.close();
});

/** Audio packets reach the chair within a second. */
async function heard() {
  const before = rx.sink.packets;
  await rx.sink.until(() => rx.sink.packets >= before + 10, WAIT_MS, 'audio at the chair');
}
/** No audio reaches the chair for 600 ms. */
async function silent() {
  await sleep(150); // packets already in flight
  const before = rx.sink.packets;
  await sleep(600);
  expect(rx.sink.packets - before).toBe(0);
}
const lastMuted = () => notifier.of('media:muted').at(-1);

describe('floor and mic', () => {
  it('a bridge mic starts paused on the server', async () => {
    expect(mic.audio!.paused).toBe(true);
    await silent();
  });

  it('granting the floor opens it; revoking closes it', async () => {
    await service.onFloorChanged(M, { userId: 900, bridgePointId: 21 }, true);
    expect(lastMuted()).toEqual({ source: B, muted: false, by: 'floor' });
    await heard();
    await service.onFloorChanged(M, { userId: 900, bridgePointId: 21 }, false);
    expect(lastMuted()).toEqual({ source: B, muted: true, by: 'floor' });
    expect(mic.audio!.paused).toBe(true);
    await silent();
  });

  it('the bridge cannot unmute itself without the floor or the chair', async () => {
    await expectCode(service.setProducerPaused(M, 'b', mic.audio!.id, false), 'FORBIDDEN');
    await silent();
  });

  it('the chair opens and mutes a bridge; the bridge cannot unmute against the chair', async () => {
    await service.mute(M, 'chair', B, false);
    await heard();
    // The bridge may mute itself and unmute again while the chair allows it.
    await service.setProducerPaused(M, 'b', mic.audio!.id, true);
    await silent();
    await service.setProducerPaused(M, 'b', mic.audio!.id, false);
    await heard();
    await service.mute(M, 'chair', B, true);
    expect(lastMuted()).toEqual({ source: B, muted: true, by: 'chair' });
    await silent();
    await expectCode(service.setProducerPaused(M, 'b', mic.audio!.id, false), 'FORBIDDEN');
    expect(mic.audio!.paused).toBe(true);
  });

  it('a floor grant after a chair mute opens the mic; mute-all closes it again', async () => {
    await service.onFloorChanged(M, { userId: 900, bridgePointId: 21 }, true);
    await heard();
    const { muted } = await service.muteAll(M, 'chair');
    expect(muted).toBeGreaterThanOrEqual(1);
    expect(lastMuted()).toEqual({ source: B, muted: true, by: 'mute-all' });
    await silent();
  });

  it('pushes the active speaker while a mic is open', async () => {
    await service.onFloorChanged(M, { userId: 900, bridgePointId: 21 }, true);
    const start = notifier.of('speaker:active').length;
    const until = Date.now() + 4000;
    while (Date.now() < until && !notifier.of('speaker:active').slice(start).some((s) => s.source?.type === 'bridge')) await sleep(100);
    const spoke = notifier.of('speaker:active').slice(start).find((s) => s.source?.type === 'bridge');
    expect(spoke).toMatchObject({ source: B, producerId: mic.audio!.id });
    expect(service.snapshot(M, false).activeSpeaker.source).toEqual(B);
  });

  it('the snapshot reports mic states', () => {
    const snap = service.snapshot(M, false);
    expect(snap.mics).toContainEqual({ source: B, muted: false, by: 'floor' });
    expect(snap.producers).toContainEqual(expect.objectContaining({ producerId: mic.audio!.id, kind: 'audio', source: B }));
  });
});
