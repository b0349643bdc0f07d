/**
 * mediasoup-side wiring for plain-RTP endpoints: the producer rtpParameters
 * that match what RtpPump sends, and the consumer capabilities a plain
 * receiver (RtpSink) should declare.
 */
import { AUDIO_LEVEL_EXT_ID, AUDIO_LEVEL_URI, OPUS_PT, VP8_PT } from './rtp-packets.ts';

/** One simulcast layer of a synthetic camera, as far as the producer parameters need it. */
export interface VideoLayerSpec {
  ssrc: number;
  /** Bits per second, e.g. 150_000 for 180p. */
  bitrate: number;
  fps?: number;
}

/** mediasoup producer rtpParameters for a simulcast VP8 camera sent by RtpPump. */
export function vp8SimulcastParameters(layers: VideoLayerSpec[], cname = 'bench'): {
  codecs: { mimeType: string; payloadType: number; clockRate: number; rtcpFeedback: { type: string; parameter?: string }[] }[];
  encodings: { ssrc: number }[];
  rtcp: { cname: string; reducedSize: boolean };
} {
  return {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: VP8_PT,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
      },
    ],
    encodings: layers.map((l) => ({ ssrc: l.ssrc })),
    rtcp: { cname, reducedSize: true },
  };
}

/** mediasoup producer rtpParameters for an opus mic sent by RtpPump. */
export function opusParameters(ssrc: number, cname = 'bench'): {
  codecs: { mimeType: string; payloadType: number; clockRate: number; channels: number }[];
  encodings: { ssrc: number }[];
  headerExtensions: { uri: string; id: number }[];
  rtcp: { cname: string; reducedSize: boolean };
} {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
    headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_EXT_ID }],
    rtcp: { cname, reducedSize: true },
  };
}

/**
 * Router capabilities minus congestion-control feedback, for plain-RTP
 * receivers: they never send transport-cc/REMB feedback, so with it mediasoup
 * would hold their bandwidth estimate at the initial value and never forward
 * the higher simulcast layers.
 */
export function plainReceiverCapabilities<
  C extends { codecs?: { rtcpFeedback?: { type: string }[] }[]; headerExtensions?: { uri: string }[] },
>(routerCaps: C): C {
  const drop = new Set(['transport-cc', 'goog-remb']);
  return {
    ...routerCaps,
    codecs: routerCaps.codecs?.map((c) => ({ ...c, rtcpFeedback: c.rtcpFeedback?.filter((f) => !drop.has(f.type)) })),
    headerExtensions: routerCaps.headerExtensions?.filter(
      (h) => !/transport-wide-cc|abs-send-time/.test(h.uri),
    ),
  };
}
