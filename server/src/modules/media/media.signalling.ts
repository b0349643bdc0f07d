/**
 * WebRTC signalling: transports, producing and consuming, and the producer
 * announcements that tell the meeting what it can consume. Role checks come
 * from media.policy.ts; whether a mic may flow is the floor's (media.floor.ts).
 */
import type { ConsumerOptions, TransportOptions } from '@diemcau/shared';
import { UPLINK_CAP_BPS } from './link-state.ts';
import { AppError, forbidden } from '../../lib/app-error.ts';
import { linkOf } from './link-monitor.ts';
import type { MediaLogger } from './logger.ts';
import { mediaCall } from './media-errors.ts';
import { micStartsPaused, setOwnMic } from './media.floor.ts';
import { applyConsumer, mayProduceAudio, mayProduceVideo, micGated, sameSource, setProducerLive } from './media.policy.ts';
import { producerInfo } from './media.views.ts';
import type { ms } from './mediasoup.ts';
import type { MeetingMedia, PeerContext } from './meeting-media.ts';
import type { Room } from './room.ts';

/** `transport:create`; a receive transport carries the device's capabilities. */
export type TransportRequest = { direction: 'send' | 'recv'; rtpCapabilities?: ms.RtpCapabilities | undefined };
/** `media:produce`. */
export type ProduceRequest = { transportId: string; kind: ms.MediaKind; rtpParameters: ms.RtpParameters };
/** `media:consume`. */
export type ConsumeRequest = { transportId: string; producerId: string; spatialLayer?: number | undefined };
/** `consumer:set-layers`. */
export type LayersRequest = { consumerId: string; spatialLayer: number; temporalLayer?: number | undefined };

/** Creates a send or receive WebRTC transport; sending needs a role that may send media. */
export async function createTransport({ room, peer }: PeerContext, req: TransportRequest): Promise<TransportOptions> {
  if (req.direction === 'recv') {
    if (!req.rtpCapabilities) throw new AppError('VALIDATION_FAILED', 400, 'rtpCapabilities are required for a receive transport');
    peer.rtpCapabilities = req.rtpCapabilities;
  } else if (!mayProduceVideo(peer.info) && !mayProduceAudio(peer.info)) {
    throw forbidden('Your role may not send media');
  }
  const t = await room.createWebRtcTransport(peer, req.direction);
  if (req.direction === 'send') await t.setMaxIncomingBitrate(UPLINK_CAP_BPS.good).catch(() => {});
  return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
}

/** Completes the DTLS handshake parameters of one of the peer's transports. */
export async function connectTransport({ room, peer }: PeerContext, req: { transportId: string; dtlsParameters: ms.DtlsParameters }): Promise<void> {
  await room.connectTransport(peer, req.transportId, { dtlsParameters: req.dtlsParameters });
}

/** New ICE credentials for one of the peer's transports (the client's network changed). */
export async function restartIce({ room, peer }: PeerContext, transportId: string): Promise<{ iceParameters: ms.IceParameters }> {
  return { iceParameters: await room.restartIce(peer, transportId) };
}

/**
 * Produces camera or mic media after the role checks. A gated mic starts
 * paused unless the floor or the chair has opened it.
 */
export async function produce({ mm, room, peer }: PeerContext, req: ProduceRequest): Promise<{ producerId: string; paused: boolean }> {
  const info = peer.info;
  let paused = false;
  if (req.kind === 'video') {
    if (!mayProduceVideo(info)) throw forbidden('Only an invited bridge point or the secretariat may send video');
  } else {
    if (!mayProduceAudio(info)) throw forbidden('Your role may not send audio');
    paused = micStartsPaused(mm, peer);
  }
  const producer = await room.produce(peer, { ...req, paused });
  // The floor or the chair may have changed the gate while the producer was being created,
  // and that enforce run did not see it yet: apply the gate as it stands now.
  if (req.kind === 'audio' && micGated(info)) await mm.mics.enforce(room, peer.source);
  // One stream per source and kind: a bridge reconnecting from a new tab replaces its old stream.
  for (const other of room.peers()) {
    if (other !== peer && sameSource(other.source, peer.source)) other.producerOfKind(req.kind)?.close();
  }
  return { producerId: producer.id, paused: producer.paused };
}

/** Consumes a producer on the peer's receive transport, paused until the client resumes it. */
export async function consume({ mm, room, peer }: PeerContext, req: ConsumeRequest, log: MediaLogger): Promise<ConsumerOptions> {
  const owner = room.producerEntry(req.producerId).peer;
  const entry = await room.consume(peer, {
    transportId: req.transportId,
    producerId: req.producerId,
    paused: true,
    ...(req.spatialLayer !== undefined ? { spatialLayer: req.spatialLayer } : {}),
  });
  // Created paused (the client resumes once its track is wired); align layers with the link now.
  await applyConsumer(entry, linkOf(mm.links, peer).status, log);
  const c = entry.consumer;
  return {
    consumerId: c.id,
    producerId: c.producerId,
    kind: c.kind,
    rtpParameters: c.rtpParameters,
    type: c.type,
    paused: c.paused,
    producerPaused: c.producerPaused,
    source: owner.source,
  };
}

/** The client pauses or resumes a consumer; the link policy may still keep it paused. */
export async function setConsumerPaused({ mm, peer }: PeerContext, consumerId: string, paused: boolean, log: MediaLogger): Promise<void> {
  const entry = peer.consumer(consumerId);
  entry.clientPaused = paused;
  await applyConsumer(entry, linkOf(mm.links, peer).status, log);
}

/** The client picks a simulcast layer; returns the spatial layer it gets after the link's cap. */
export async function setConsumerLayers({ mm, peer }: PeerContext, req: LayersRequest, log: MediaLogger): Promise<{ spatialLayer: number }> {
  const entry = peer.consumer(req.consumerId);
  if (entry.consumer.type !== 'simulcast') throw new AppError('VALIDATION_FAILED', 400, 'This stream has no layers');
  entry.wantedSpatialLayer = req.spatialLayer;
  entry.wantedTemporalLayer = req.temporalLayer;
  const link = linkOf(mm.links, peer).status;
  await applyConsumer(entry, link, log);
  return { spatialLayer: Math.min(req.spatialLayer, link.maxSpatialLayer) };
}

/** Pauses/resumes one's own producer; a gated mic goes through the floor rules instead. */
export async function setProducerPaused({ mm, peer }: PeerContext, producerId: string, paused: boolean): Promise<{ paused: boolean }> {
  const producer = peer.producer(producerId);
  if (producer.kind === 'audio' && micGated(peer.info)) {
    await setOwnMic(mm, peer, paused);
  } else {
    await mediaCall('producer pause', () => setProducerLive(producer, !paused));
  }
  return { paused: producer.paused };
}

/** Closes one of the peer's own producers. */
export function closeProducer({ peer }: PeerContext, producerId: string): void {
  peer.producer(producerId).close();
}

/** Announces the room's producers to the meeting as they appear, pause, resume and close. */
export function announceProducers(mm: MeetingMedia, room: Room): void {
  room.on('newproducer', ({ peer, producer }) => {
    mm.notifyHere('producer:added', producerInfo(producer, peer));
    producer.observer.on('pause', () => mm.notifyHere('producer:paused', { producerId: producer.id, paused: true }));
    producer.observer.on('resume', () => mm.notifyHere('producer:paused', { producerId: producer.id, paused: false }));
  });
  room.on('producerclosed', ({ peer, producerId, kind }) => {
    mm.notifyHere('producer:closed', { producerId, source: peer.source, kind });
  });
}
