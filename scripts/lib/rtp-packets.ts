/**
 * RTP/RTCP wire format shared by the synthetic sender (rtp-source.ts,
 * rtp-pump.ts), the receiver (rtp-sink.ts) and the producer parameters
 * (rtp-mediasoup.ts): payload types, the audio-level extension id, the layer
 * tag, and parsers/builders for the packets the tests inspect or inject.
 *
 * Every video payload carries a tag `DC` + layer index after the VP8 header,
 * so a receiver can tell which simulcast layer mediasoup forwarded.
 */

// The sender's packets and the producer rtpParameters must agree on these, so
// both import them from here.
/** RFC 6464 client-to-mixer audio level header extension. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** One-byte header extension id carrying the audio level. */
export const AUDIO_LEVEL_EXT_ID = 1;
/** Payload type of the synthetic VP8 camera. */
export const VP8_PT = 101;
/** Payload type of the synthetic opus mic. */
export const OPUS_PT = 100;
/** First byte of the simulcast layer tag ('D'); the sender writes it, parseRtp finds it. */
export const TAG0 = 0x44; // 'D'
/** Second byte of the simulcast layer tag ('C'). */
export const TAG1 = 0x43; // 'C'

/** Splits a compound RTCP packet. `body` starts after the 4-byte header. */
export function rtcpPackets(buf: Buffer): { pt: number; fmt: number; body: Buffer }[] {
  const out: { pt: number; fmt: number; body: Buffer }[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    if (buf[o]! >> 6 !== 2) break;
    const pt = buf[o + 1]!;
    if (pt < 192 || pt > 223) break;
    const len = (buf.readUInt16BE(o + 2) + 1) * 4;
    if (o + len > buf.length) break;
    out.push({ pt, fmt: buf[o]! & 0x1f, body: buf.subarray(o + 4, o + len) });
    o += len;
  }
  return out;
}

/** The fields of an RTP packet the tests and RtpSink look at. */
export interface RtpInfo {
  ssrc: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
  /** Simulcast layer tag written by RtpPump, or null (audio, or not found). */
  layer: number | null;
}

/** Parses an RTP packet; null for RTCP or garbage. */
export function parseRtp(buf: Buffer): RtpInfo | null {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return null;
  const pt = buf[1]! & 0x7f;
  if (pt >= 64 && pt <= 95) return null; // RTCP range when muxed
  const cc = buf[0]! & 0x0f;
  let o = 12 + cc * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < o + 4) return null;
    o += 4 + buf.readUInt16BE(o + 2) * 4;
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (o > end) return null;
  const payload = buf.subarray(o, end);
  let layer: number | null = null;
  // mediasoup rewrites the VP8 descriptor but not the bytes after it; find our tag.
  const tagAt = payload.indexOf(Buffer.from([TAG0, TAG1]));
  if (tagAt >= 0 && tagAt < 16 && payload.length > tagAt + 2) layer = payload[tagAt + 2]!;
  return {
    ssrc: buf.readUInt32BE(8),
    payloadType: pt,
    seq: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    marker: (buf[1]! & 0x80) !== 0,
    payload,
    layer,
  };
}

/** An RTCP receiver report for one media SSRC, reporting `fractionLost` (0..1). */
export function receiverReport(senderSsrc: number, mediaSsrc: number, fractionLost: number, highestSeq: number, cumulativeLost = 0): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81; // V=2, RC=1
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(senderSsrc >>> 0, 4);
  b.writeUInt32BE(mediaSsrc >>> 0, 8);
  b[12] = Math.max(0, Math.min(255, Math.round(fractionLost * 256)));
  b.writeUIntBE(cumulativeLost & 0xffffff, 13, 3);
  b.writeUInt32BE(highestSeq >>> 0, 16);
  // jitter, LSR, DLSR stay 0
  return b;
}
