// Role checks and bad input against the real worker: every refusal is a typed
// error and the room keeps forwarding media for everyone else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaService } from '../../../server/src/modules/media/media.service.ts';
import { opusParameters, vp8SimulcastParameters } from '../../../scripts/lib/rtp-mediasoup.ts';
import {
  bridgeInfo, chairInfo, delegateInfo, expectCode, LAYERS, newService, plainReceiver, plainSender, ssrc,
  type PlainReceiver, type PlainSender, WAIT_MS,
} from './support.ts';

const M = 7;
let service: MediaService;
let sender: PlainSender;
let rx: PlainReceiver;

beforeAll(async () => {
  ({ service } = await newService());
  await service.getCapabilities(M, 'chair', chairInfo());
  await service.getCapabilities(M, 'bridge', bridgeInfo(3));
  await service.getCapabilities(M, 'delegate', delegateInfo(50));
  await service.getCapabilities(M, 'observer', { userId: 60, role: 'observer', bridgePointId: null, label: 'Quan sát', chair: false });
  const room = service.room(M)!;
  sender = await plainSender(room, room.peer('bridge')!, { video: true }, (req) =>
    service.produce(M, 'bridge', req).then(({ producerId }) => room.producerEntry(producerId).producer),
  );
  rx = await plainReceiver(room, room.peer('chair')!);
  const c = await service.consume(M, 'chair', { transportId: rx.transport.id, producerId: sender.video!.id, spatialLayer: 0 });
  await service.setConsumerPaused(M, 'chair', c.consumerId, false);
  await rx.sink.until(() => rx.sink.packets > 10, WAIT_MS, 'baseline video');
});

afterAll(() => {
  sender?.close();
  rx?.close();
  service?.close();
});

/** Media still flows to the chair: the room and the other peers were unaffected. */
async function stillFlowing() {
  const before = rx.sink.packets;
  await rx.sink.until(() => rx.sink.packets > before + 10, WAIT_MS, 'video after the refusal');
  expect(service.room(M)!.closed).toBe(false);
  expect(service.pool.workers[0]!.closed).toBe(false);
}

describe('role checks', () => {
  it('a delegate phone may not send video, nor audio without the floor', async () => {
    const room = service.room(M)!;
    const t = await room.createPlainTransport(room.peer('delegate')!, 'send');
    await expectCode(service.produce(M, 'delegate', { transportId: t.id, kind: 'video', rtpParameters: vp8SimulcastParameters(LAYERS()) }), 'FORBIDDEN');
    await expectCode(service.produce(M, 'delegate', { transportId: t.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }), 'FORBIDDEN');
    // Given the floor, the same phone may speak, and the mic is live at once.
    await service.onFloorChanged(M, { userId: 50, bridgePointId: null }, true);
    const { paused } = await service.produce(M, 'delegate', { transportId: t.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) });
    expect(paused).toBe(false);
    await service.onFloorChanged(M, { userId: 50, bridgePointId: null }, false);
    expect(room.peer('delegate')!.producerOfKind('audio')!.paused).toBe(true);
    await stillFlowing();
  });

  it('an observer may not open a send transport; it may receive', async () => {
    await expectCode(service.createTransport(M, 'observer', { direction: 'send' }), 'FORBIDDEN');
    const room = service.room(M)!;
    const t = await service.createTransport(M, 'observer', { direction: 'recv', rtpCapabilities: room.rtpCapabilities });
    expect(t.iceCandidates.length).toBeGreaterThan(0);
  });

  it('only the chair directs the stage and mutes others', async () => {
    await expectCode(async () => service.setStage(M, 'bridge', { type: 'bridge', bridgePointId: 3 }), 'FORBIDDEN');
    await expectCode(service.mute(M, 'bridge', { type: 'bridge', bridgePointId: 3 }, false), 'FORBIDDEN');
    await expectCode(service.muteAll(M, 'delegate'), 'FORBIDDEN');
    const stage = service.setStage(M, 'chair', { type: 'bridge', bridgePointId: 3 });
    expect(stage.videoProducerId).toBe(sender.video!.id);
  });

  it('a peer that has not joined media gets a typed error', async () => {
    await expectCode(service.createTransport(M, 'stranger', { direction: 'send' }), 'MEDIA_ERROR');
  });
});

describe('bad input', () => {
  it('unknown transport, producer and consumer ids are NOT_FOUND', async () => {
    const room = service.room(M)!;
    await expectCode(service.connectTransport(M, 'bridge', { transportId: 'nope', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } }), 'NOT_FOUND');
    await expectCode(service.produce(M, 'bridge', { transportId: 'nope', kind: 'audio', rtpParameters: opusParameters(ssrc()) }), 'NOT_FOUND');
    await expectCode(service.consume(M, 'chair', { transportId: rx.transport.id, producerId: 'nope' }), 'NOT_FOUND');
    await expectCode(service.setConsumerPaused(M, 'chair', 'nope', false), 'NOT_FOUND');
    await expectCode(service.setProducerPaused(M, 'chair', sender.video!.id, true), 'NOT_FOUND'); // not the chair's producer
    // Someone else's transport is unknown to you.
    await expectCode(service.consume(M, 'bridge', { transportId: rx.transport.id, producerId: sender.video!.id }), 'NOT_FOUND');
    expect(room.closed).toBe(false);
    await stillFlowing();
  });

  it('bad DTLS parameters are refused with a typed error', async () => {
    const t = await service.createTransport(M, 'bridge', { direction: 'send' });
    await expectCode(
      service.connectTransport(M, 'bridge', { transportId: t.id, dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-999', value: 'zz' }] } }),
      'VALIDATION_FAILED',
    );
    await stillFlowing();
  });

  it('bad RTP parameters are refused with a typed error', async () => {
    const t = await service.createTransport(M, 'bridge', { direction: 'send' });
    const bad = opusParameters(ssrc());
    await expectCode(
      service.produce(M, 'bridge', { transportId: t.id, kind: 'audio', rtpParameters: { ...bad, codecs: [{ mimeType: 'audio/nonsense', payloadType: 100, clockRate: 8000 }] } }),
      'VALIDATION_FAILED',
    );
    // Kind and codec disagree.
    await expectCode(service.produce(M, 'bridge', { transportId: t.id, kind: 'audio', rtpParameters: vp8SimulcastParameters(LAYERS()) }), 'VALIDATION_FAILED');
    await stillFlowing();
  });

  it('a second producer of the same kind is a CONFLICT, even when requested concurrently', async () => {
    const room = service.room(M)!;
    await expectCode(
      service.produce(M, 'bridge', { transportId: sender.transport.id, kind: 'video', rtpParameters: vp8SimulcastParameters(LAYERS()) }),
      'CONFLICT',
    );
    const t = await room.createPlainTransport(room.peer('bridge')!, 'send');
    const both = await Promise.allSettled([
      service.produce(M, 'bridge', { transportId: t.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }),
      service.produce(M, 'bridge', { transportId: t.id, kind: 'audio', rtpParameters: opusParameters(ssrc()) }),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason.code).toBe('CONFLICT');
    await stillFlowing();
  });

  it('a receive transport needs the device capabilities, and consuming needs a recv transport', async () => {
    await expectCode(service.createTransport(M, 'bridge', { direction: 'recv' }), 'VALIDATION_FAILED');
    await expectCode(service.consume(M, 'bridge', { transportId: sender.transport.id, producerId: sender.video!.id }), 'VALIDATION_FAILED');
  });
});
