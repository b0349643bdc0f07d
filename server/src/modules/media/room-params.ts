/**
 * What a media Room (room.ts) asks mediasoup for: its transports listen on the
 * node's IP (announced as the public one when set) and carry their peer and
 * direction; its consumers start at the layer the client asked for. Pure: the
 * room's state stays in the room.
 */
import { AppError } from '../../lib/app-error.ts';
import { MAX_SPATIAL_LAYER } from './codecs.ts';
import type { ms } from './mediasoup.ts';
import type { Direction, Peer } from './peer.ts';
import type { RoomOptions } from './room-types.ts';

type Listen = Pick<RoomOptions, 'listenIp' | 'announcedIp'>;

function listenIp(opts: Listen): ms.TransportListenIp {
  return { ip: opts.listenIp, ...(opts.announcedIp ? { announcedIp: opts.announcedIp } : {}) };
}

export function webRtcTransportOptions(opts: Listen, peer: Peer, direction: Direction): ms.WebRtcTransportOptions {
  return {
    listenIps: [listenIp(opts)],
    enableUdp: true,
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 1_000_000,
    appData: { peerId: peer.id, direction },
  };
}

export function plainTransportOptions(opts: Listen, peer: Peer, direction: Direction, comedia: boolean | undefined): ms.PlainTransportOptions {
  return {
    listenIp: listenIp(opts),
    rtcpMux: true,
    comedia: comedia ?? direction === 'send',
    appData: { peerId: peer.id, direction },
  };
}

export function assertCodecsMatchKind(kind: ms.MediaKind, rtpParameters: ms.RtpParameters): void {
  // mediasoup 3.8 does not check that the codecs match the declared kind.
  if (!rtpParameters.codecs.every((c) => c.mimeType.toLowerCase().startsWith(`${kind}/`))) {
    throw new AppError('VALIDATION_FAILED', 400, `media:produce: codecs do not match kind ${kind}`);
  }
}

/** The simulcast layer a new consumer asks for: the client's choice (the top layer if none), at most the top layer. */
export function wantedSpatialLayer(requested: number | undefined): number {
  return Math.min(requested ?? MAX_SPATIAL_LAYER, MAX_SPATIAL_LAYER);
}

export function consumerOptions(
  producer: ms.Producer,
  rtpCapabilities: ms.RtpCapabilities,
  peer: Peer,
  paused: boolean,
  spatialLayer: number,
): ms.ConsumerOptions {
  return {
    producerId: producer.id,
    rtpCapabilities,
    paused,
    ...(producer.type === 'simulcast' ? { preferredLayers: { spatialLayer } } : {}),
    appData: { peerId: peer.id },
  };
}
