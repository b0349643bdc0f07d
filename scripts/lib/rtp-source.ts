/**
 * Synthetic media sources: one Stream per SSRC that turns wall-clock time into
 * the RTP packets a browser would send closely enough for mediasoup to forward
 * them — VP8 packets with a payload descriptor (picture id, TL0PICIDX,
 * keyframe bit) per simulcast layer, and opus packets with the
 * ssrc-audio-level header extension — plus its RTCP Sender Reports. No I/O:
 * RtpPump (rtp-pump.ts) owns the socket and the pacing.
 */
import { AUDIO_LEVEL_EXT_ID, OPUS_PT, TAG0, TAG1, VP8_PT } from './rtp-packets.ts';

const MAX_PAYLOAD = 1100;

/** One synthetic stream: an audio track or one simulcast layer of a camera. */
export interface StreamSpec {
  kind: 'audio' | 'video';
  ssrc: number;
  bitrate: number;
  fps: number;
  /** Simulcast layer index for video, written into each payload. */
  layer: number;
  /** dBov magnitude for the audio-level extension (0 = loudest, 127 = silence). */
  level?: number;
}

/**
 * Packetizer and counters for one synthetic stream. Keyframes are due
 * periodically and whenever `wantKeyframe` is set (RtpPump sets it on PLI/FIR).
 */
export class Stream {
  seq = Math.floor(Math.random() * 0xffff);
  readonly tsBase = Math.floor(Math.random() * 0xffffffff);
  timestamp = 0;
  t0 = -1;
  pictureId = Math.floor(Math.random() * 0x7fff);
  tl0 = 0;
  nextDue = 0;
  /** When the last frame went out and with which RTP timestamp, for Sender Reports. */
  lastSentAt = 0;
  lastTs = 0;
  packets = 0;
  octets = 0;
  nextSr = 0;
  wantKeyframe = true;
  lastKeyframe = 0;
  readonly frameBytes: number;
  readonly intervalMs: number;
  readonly clockRate: number;

  constructor(readonly spec: StreamSpec) {
    this.intervalMs = 1000 / spec.fps;
    this.frameBytes = Math.max(20, Math.round(spec.bitrate / 8 / spec.fps));
    this.clockRate = spec.kind === 'video' ? 90000 : 48000;
  }

  /** Packets for one frame. */
  frame(now: number, keyframeEveryMs: number): Buffer[] {
    // RTP time follows the wall clock, as a real encoder's does, so Sender
    // Reports map every layer onto the same timeline even when ticks run late.
    if (this.t0 < 0) this.t0 = now;
    this.timestamp = (this.tsBase + Math.round(((now - this.t0) * this.clockRate) / 1000)) >>> 0;
    const key = this.spec.kind === 'video' && (this.wantKeyframe || now - this.lastKeyframe >= keyframeEveryMs);
    if (key) {
      this.wantKeyframe = false;
      this.lastKeyframe = now;
    }
    const out = this.spec.kind === 'video' ? this.#videoFrame(key) : [this.#audioPacket()];
    this.lastSentAt = now;
    this.lastTs = this.timestamp;
    this.packets += out.length;
    for (const p of out) this.octets += p.length - 12;
    return out;
  }

  /**
   * RTCP Sender Report. mediasoup only switches a consumer between simulcast
   * layers once every layer has sent one, because it maps RTP timestamps
   * across layers through the SR's NTP time.
   */
  senderReport(now: number): Buffer {
    const rtpTs = (this.lastTs + Math.round(((now - this.lastSentAt) * this.clockRate) / 1000)) >>> 0;
    const wallMs = performance.timeOrigin + now;
    const b = Buffer.alloc(28);
    b[0] = 0x80;
    b[1] = 200;
    b.writeUInt16BE(6, 2);
    b.writeUInt32BE(this.spec.ssrc >>> 0, 4);
    b.writeUInt32BE((Math.floor(wallMs / 1000) + 2208988800) >>> 0, 8);
    b.writeUInt32BE(Math.floor(((wallMs % 1000) / 1000) * 0x100000000) >>> 0, 12);
    b.writeUInt32BE(rtpTs, 16);
    b.writeUInt32BE(this.packets >>> 0, 20);
    b.writeUInt32BE(this.octets >>> 0, 24);
    return b;
  }

  #header(payloadType: number, marker: boolean, ext: Buffer | null, payloadLen: number): { buf: Buffer; off: number } {
    const extLen = ext ? ext.length : 0;
    const buf = Buffer.allocUnsafe(12 + extLen + payloadLen);
    buf[0] = 0x80 | (ext ? 0x10 : 0);
    buf[1] = (marker ? 0x80 : 0) | payloadType;
    buf.writeUInt16BE(this.seq, 2);
    this.seq = (this.seq + 1) & 0xffff;
    buf.writeUInt32BE(this.timestamp, 4);
    buf.writeUInt32BE(this.spec.ssrc >>> 0, 8);
    if (ext) ext.copy(buf, 12);
    return { buf, off: 12 + extLen };
  }

  #videoFrame(key: boolean): Buffer[] {
    // Keyframes are bigger, as real ones are.
    const total = key ? this.frameBytes * 3 : this.frameBytes;
    const count = Math.max(1, Math.ceil(total / MAX_PAYLOAD));
    const per = Math.ceil(total / count);
    const packets: Buffer[] = [];
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    if (key) this.tl0 = (this.tl0 + 1) & 0xff;
    for (let i = 0; i < count; i++) {
      const first = i === 0;
      const descriptor = 6; // X|S byte, I|L|T byte, 2-byte picture id, TL0PICIDX, TID|Y|KEYIDX
      const vp8Header = first ? 3 : 0;
      const len = Math.max(descriptor + vp8Header + 3, per);
      const { buf, off } = this.#header(VP8_PT, i === count - 1, null, len);
      let o = off;
      buf[o++] = 0x80 | (first ? 0x10 : 0); // X=1, S=start of partition, PID=0
      buf[o++] = 0xe0; // I, L, T present
      buf[o++] = 0x80 | (this.pictureId >> 8);
      buf[o++] = this.pictureId & 0xff;
      buf[o++] = this.tl0;
      buf[o++] = 0x20; // TID=0, Y=1
      if (first) {
        buf[o++] = key ? 0x10 : 0x11; // P bit clear = keyframe
        buf[o++] = 0x02;
        buf[o++] = 0x00;
      }
      buf[o++] = TAG0;
      buf[o++] = TAG1;
      buf[o++] = this.spec.layer;
      buf.fill(0x5a, o);
      packets.push(buf);
    }
    return packets;
  }

  #audioPacket(): Buffer {
    const ext = Buffer.alloc(8);
    ext.writeUInt16BE(0xbede, 0);
    ext.writeUInt16BE(1, 2);
    ext[4] = (AUDIO_LEVEL_EXT_ID << 4) | 0; // one byte of data
    ext[5] = 0x80 | Math.min(127, Math.max(0, this.spec.level ?? 127)); // V=1 (voice), level
    const { buf, off } = this.#header(OPUS_PT, false, ext, this.frameBytes);
    buf.fill(0xfc, off);
    return buf;
  }
}
