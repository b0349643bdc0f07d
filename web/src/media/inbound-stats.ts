/** Inbound stats of one consumed producer, as ConferenceMedia.stats() reports them. */
import type { Consumer } from 'mediasoup-client/types';

export interface InboundStats {
  producerId: string;
  kind: 'audio' | 'video';
  bytesReceived: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  totalAudioEnergy: number;
  /** Audio: the receiver's current level (0..1) and its concealment counters, to tell a gap from speech. */
  audioLevel: number;
  concealedSamples: number;
  totalSamplesReceived: number;
  /** Video: frames the receiver dropped or could not decode, and packets it lost. */
  framesDropped: number;
  packetsLost: number;
}

/** Sums a consumer's inbound-rtp reports (decoded frames, bytes, audio energy). */
export async function readInboundStats(producerId: string, c: Consumer): Promise<InboundStats> {
  const s: InboundStats = { producerId, kind: c.kind as 'audio' | 'video', bytesReceived: 0, framesDecoded: 0, frameWidth: 0, frameHeight: 0, totalAudioEnergy: 0, audioLevel: 0, concealedSamples: 0, totalSamplesReceived: 0, framesDropped: 0, packetsLost: 0 };
  (await c.getStats()).forEach((r: Record<string, unknown>) => {
    if (r.type !== 'inbound-rtp') return;
    s.bytesReceived += Number(r.bytesReceived ?? 0);
    s.framesDecoded += Number(r.framesDecoded ?? 0);
    s.frameWidth = Math.max(s.frameWidth, Number(r.frameWidth ?? 0));
    s.frameHeight = Math.max(s.frameHeight, Number(r.frameHeight ?? 0));
    s.totalAudioEnergy += Number(r.totalAudioEnergy ?? 0);
    s.audioLevel = Math.max(s.audioLevel, Number(r.audioLevel ?? 0));
    s.concealedSamples += Number(r.concealedSamples ?? 0);
    s.totalSamplesReceived += Number(r.totalSamplesReceived ?? 0);
    s.framesDropped += Number(r.framesDropped ?? 0);
    s.packetsLost += Number(r.packetsLost ?? 0);
  });
  return s;
}
