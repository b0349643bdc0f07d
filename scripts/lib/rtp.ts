/**
 * A tiny RTP generator and sink over node:dgram, for the media integration
 * tests and scripts/bench-sfu.ts. It sends what a browser would put on the
 * wire closely enough for mediasoup to forward it: VP8 packets with a payload
 * descriptor (picture id, TL0PICIDX, keyframe bit) per simulcast layer, and
 * opus packets with the ssrc-audio-level header extension. Keyframes are sent
 * periodically and whenever mediasoup asks for one (PLI/FIR).
 *
 * Every video payload carries a tag `DC` + layer index after the VP8 header,
 * so a receiver can tell which simulcast layer mediasoup forwarded.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const AUDIO_LEVEL_EXT_ID = 1;
export const VP8_PT = 101;
export const OPUS_PT = 100;
const MAX_PAYLOAD = 1100;
const TAG0 = 0x44; // 'D'
const TAG1 = 0x43; // 'C'

export interface VideoLayerSpec {
  ssrc: number;
  /** Bits per second, e.g. 150_000 for 180p. */
  bitrate: number;
  fps?: number;
}

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

class Stream {
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

export interface PumpTarget {
  ip: string;
  port: number;
}

/**
 * Sends RTP for a set of streams to one mediasoup PlainTransport (comedia),
 * paced on a 5 ms tick, and answers PLI/FIR with a keyframe.
 */
export class RtpPump {
  readonly #socket = dgram.createSocket('udp4');
  readonly #streams: Stream[];
  readonly #target: PumpTarget;
  readonly #keyframeEveryMs: number;
  #timer: NodeJS.Timeout | null = null;
  packetsSent = 0;
  bytesSent = 0;
  keyframeRequests = 0;

  constructor(target: PumpTarget, streams: StreamSpec[], opts: { keyframeEveryMs?: number } = {}) {
    this.#target = target;
    this.#streams = streams.map((s) => new Stream(s));
    this.#keyframeEveryMs = opts.keyframeEveryMs ?? 2000;
    this.#socket.on('message', (msg) => this.#onRtcp(msg));
    this.#socket.on('error', () => {});
  }

  /** Binds the socket; call once before start(). */
  async bind(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
  }

  /** Change the audio level of an audio stream (0 loud … 127 silent). */
  setLevel(ssrc: number, level: number): void {
    const s = this.#streams.find((x) => x.spec.ssrc === ssrc);
    if (s) s.spec.level = level;
  }

  start(): void {
    if (this.#timer) return;
    const t0 = performance.now();
    // Spread streams over the frame interval so packets don't all leave at once.
    this.#streams.forEach((s, i) => (s.nextDue = t0 + ((i * 7) % Math.max(1, Math.floor(s.intervalMs)))));
    this.#timer = setInterval(() => this.tick(), 5);
  }

  /** Sends every frame that is due. Exposed so a bench can drive many pumps from one timer. */
  tick(now = performance.now()): void {
    for (const s of this.#streams) {
      // Catch up at most a few frames after a stall rather than bursting seconds of media.
      let n = 0;
      while (s.nextDue <= now && n++ < 3) {
        for (const p of s.frame(now, this.#keyframeEveryMs)) {
          this.#socket.send(p, this.#target.port, this.#target.ip);
          this.packetsSent++;
          this.bytesSent += p.length;
        }
        s.nextDue += s.intervalMs;
      }
      if (s.nextDue <= now) s.nextDue = now + s.intervalMs;
      if (s.packets > 0 && now >= s.nextSr) {
        this.#socket.send(s.senderReport(now), this.#target.port, this.#target.ip);
        s.nextSr = now + 1000;
      }
    }
  }

  /** Starts pacing without a timer of its own; the caller calls tick(). */
  startExternal(): void {
    const t0 = performance.now();
    this.#streams.forEach((s, i) => (s.nextDue = t0 + ((i * 7) % Math.max(1, Math.floor(s.intervalMs)))));
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  close(): void {
    this.stop();
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }

  #onRtcp(msg: Buffer): void {
    for (const { pt, fmt, body } of rtcpPackets(msg)) {
      // PLI (PSFB fmt 1) and FIR (fmt 4) ask for a keyframe.
      if (pt === 206 && (fmt === 1 || fmt === 4) && body.length >= 8) {
        const mediaSsrc = fmt === 1 ? body.readUInt32BE(4) : body.length >= 12 ? body.readUInt32BE(8) : 0;
        for (const s of this.#streams) {
          if (s.spec.kind === 'video' && (fmt === 4 || s.spec.ssrc === mediaSsrc)) s.wantKeyframe = true;
        }
        this.keyframeRequests++;
      }
    }
  }
}

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

/** Receives RTP from mediasoup consumers on a PlainTransport and keeps counts. */
export class RtpSink {
  readonly #socket = dgram.createSocket('udp4');
  packets = 0;
  bytes = 0;
  readonly bySsrc = new Map<number, { packets: number; highestSeq: number; layers: Set<number> }>();
  /** The mediasoup address that sent us media, for RTCP back. */
  remote: { address: string; port: number } | null = null;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor() {
    this.#socket.on('message', (msg, rinfo) => {
      this.remote = { address: rinfo.address, port: rinfo.port };
      const p = parseRtp(msg);
      if (!p) return;
      this.packets++;
      this.bytes += msg.length;
      let s = this.bySsrc.get(p.ssrc);
      if (!s) {
        s = { packets: 0, highestSeq: 0, layers: new Set() };
        this.bySsrc.set(p.ssrc, s);
      }
      s.packets++;
      s.highestSeq = p.seq;
      if (p.layer !== null) s.layers.add(p.layer);
      if (p.layer !== null) this.#lastLayer = p.layer;
      if (this.#waiters.length) this.#waiters = this.#waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
    });
    this.#socket.on('error', () => {});
  }

  #lastLayer: number | null = null;
  /** Layer tag of the most recent video packet. */
  get lastLayer(): number | null {
    return this.#lastLayer;
  }

  async bind(): Promise<number> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    return (this.#socket.address() as AddressInfo).port;
  }

  get port(): number {
    return (this.#socket.address() as AddressInfo).port;
  }

  /** Resolves when `check()` holds after some packet, or rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs = 5000, what = 'RTP'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what} (received ${this.packets} packets)`));
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends an RTCP packet back to mediasoup (e.g. a receiver report). */
  sendRtcp(buf: Buffer): void {
    if (this.remote) this.#socket.send(buf, this.remote.port, this.remote.address);
  }

  close(): void {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
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
