/**
 * One recorded "slot" between mediasoup and the encoder: a UDP socket that a
 * PlainTransport consumer sends to, and that forwards to the encoder's port
 * as one continuous RTP stream. When the slot is re-pointed at another
 * producer (a stage switch, another speaker) the incoming SSRC changes and
 * its sequence numbers and timestamps restart somewhere random; the encoder's
 * RTP demuxer would drop or mistime that, so the slot rewrites SSRC, payload
 * type, sequence and timestamp so the output carries on where it left off,
 * advanced by the wall-clock time that passed. Video waits for a keyframe
 * after each switch (the caller asks for one), so no half-decodable frames
 * are written. An idle audio slot (no producer, or its mic paused) sends Opus
 * silence so the encoder's mixer never stalls waiting for it; a live mic's
 * late packets are never replaced by silence, which would stretch the time.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';

/** A 20 ms Opus frame of silence (CELT, fullband): TOC 0xf8 and an empty frame. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const OPUS_FRAME_MS = 20;
/** A live mic silent this long (a dead link, DTX) is treated as idle, so the mix never waits on it. */
const STALL_MS = 1000;


export interface RtpRelayOptions {
  kind: 'audio' | 'video';
  /** Payload type the encoder's SDP declares. */
  payloadType: number;
  clockRate: number;
  /** Where the encoder listens for this stream. */
  target: { host: string; port: number };
  now?: () => number;
}

/** Whether a VP8 RTP payload starts a keyframe (RFC 7741 payload descriptor, then the VP8 header's P bit). */
export function isVp8Keyframe(payload: Buffer): boolean {
  if (payload.length < 1) return false;
  const b0 = payload[0]!;
  const start = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  if (!start) return false;
  let i = 1;
  if (b0 & 0x80) {
    const x = payload[i++] ?? 0;
    if (x & 0x80) i += (payload[i] ?? 0) & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (x & 0x40) i += 1; // TL0PICIDX
    if (x & 0x30) i += 1; // TID/KEYIDX
  }
  return i < payload.length && (payload[i]! & 0x01) === 0;
}

/** Offset of the RTP payload, or -1 when `buf` is not an RTP packet. */
function payloadOffset(buf: Buffer): number {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return -1;
  const pt = buf[1]! & 0x7f;
  // RTCP shares the port (rtcp-mux): payload types 72–79 with the marker bit read as 200–207.
  if (pt >= 72 && pt <= 79) return -1;
  let off = 12 + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < off + 4) return -1;
    off += 4 + buf.readUInt16BE(off + 2) * 4;
  }
  return off <= buf.length ? off : -1;
}

export class RtpRelay {
  readonly #o: RtpRelayOptions;
  readonly #sock: Socket;
  readonly #now: () => number;
  readonly #ssrc = randomInt(1, 0xffffffff);
  /** SSRC of the stream now being forwarded; null forces a rebase on the next packet. */
  #inSsrc: number | null = null;
  #seqOffset = 0;
  #tsOffset = 0;
  #lastSeq = randomInt(0, 0xffff);
  #lastTs = randomInt(0, 0xffffffff);
  #lastAt = -1;
  /** Audio: no live producer feeds the slot, so it carries silence. */
  #idle = true;
  /** Silence was sent since the last real packet. */
  #filled = false;
  #lastRealAt = 0;
  #fill: NodeJS.Timeout | null = null;
  #closed = false;
  packetsIn = 0;
  packetsOut = 0;

  private constructor(opts: RtpRelayOptions, sock: Socket) {
    this.#o = opts;
    this.#sock = sock;
    this.#now = opts.now ?? (() => performance.now());
    sock.on('message', (msg) => this.#onPacket(msg));
    // An encoder that is not listening yet makes the kernel report ECONNREFUSED; nothing to do.
    sock.on('error', () => {});
    if (opts.kind === 'audio') this.#fill = setInterval(() => this.#fillSilence(), OPUS_FRAME_MS);
  }

  /** Binds the slot's socket on localhost. */
  static async create(opts: RtpRelayOptions): Promise<RtpRelay> {
    const sock = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.bind(0, '127.0.0.1', () => {
        sock.off('error', rej);
        res();
      });
    });
    return new RtpRelay(opts, sock);
  }

  /** The port the PlainTransport consumer sends to. */
  get port(): number {
    return this.#sock.address().port;
  }

  /** The slot now follows another producer: rebase on its first packet (video: its first keyframe). */
  repoint(): void {
    this.#inSsrc = null;
  }

  /** Audio: whether the slot has no live mic (none assigned, or paused) and should carry silence. */
  setIdle(idle: boolean): void {
    this.#idle = idle;
    if (!idle) this.#lastRealAt = this.#now();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fill) clearInterval(this.#fill);
    this.#sock.close();
  }

  #onPacket(buf: Buffer): void {
    const off = payloadOffset(buf);
    if (off < 0 || this.#closed) return;
    this.packetsIn++;
    const ssrc = buf.readUInt32BE(8);
    if (ssrc !== this.#inSsrc) {
      if (this.#o.kind === 'video' && !isVp8Keyframe(buf.subarray(off))) return;
      this.#rebase(ssrc, buf.readUInt16BE(2), buf.readUInt32BE(4));
    } else if (this.#filled) {
      // Back after silence: the producer's clock ran on meanwhile, so its own timestamps still fit,
      // unless they would overlap the silence already sent; then it continues right after it.
      this.#seqOffset = (this.#lastSeq + 1 - buf.readUInt16BE(2)) & 0xffff;
      const ahead = (((buf.readUInt32BE(4) + this.#tsOffset) >>> 0) - this.#lastTs) | 0;
      if (ahead <= 0) this.#rebase(ssrc, buf.readUInt16BE(2), buf.readUInt32BE(4));
    }
    this.#filled = false;
    this.#lastRealAt = this.#now();
    const seq = (buf.readUInt16BE(2) + this.#seqOffset) & 0xffff;
    const ts = (buf.readUInt32BE(4) + this.#tsOffset) >>> 0;
    const out = Buffer.from(buf);
    out[1] = (buf[1]! & 0x80) | this.#o.payloadType;
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(ts, 4);
    out.writeUInt32BE(this.#ssrc, 8);
    this.#emit(out, seq, ts);
  }

  /** Continues the output from where it stopped, advanced by the time that passed. */
  #rebase(ssrc: number, seq: number, ts: number): void {
    const now = this.#now();
    const elapsed = this.#lastAt < 0 ? 0 : Math.max(1, Math.round(((now - this.#lastAt) * this.#o.clockRate) / 1000));
    this.#inSsrc = ssrc;
    this.#seqOffset = (this.#lastSeq + 1 - seq) & 0xffff;
    this.#tsOffset = (this.#lastTs + elapsed - ts) >>> 0;
  }

  #emit(out: Buffer, seq: number, ts: number): void {
    this.#lastSeq = seq;
    this.#lastTs = ts;
    this.#lastAt = this.#now();
    this.packetsOut++;
    this.#sock.send(out, this.#o.target.port, this.#o.target.host);
  }

  /** Audio only: keeps the stream going with silent frames while no producer speaks into this slot. */
  #fillSilence(): void {
    const now = this.#now();
    if (!this.#idle && now - this.#lastRealAt < STALL_MS) return;
    this.#filled = true;
    if (this.#lastAt < 0) this.#lastAt = now - OPUS_FRAME_MS;
    const step = (this.#o.clockRate * OPUS_FRAME_MS) / 1000;
    // Catch up frame by frame, so a late timer tick does not shorten the timeline.
    while (now - this.#lastAt >= OPUS_FRAME_MS) {
      const at = this.#lastAt + OPUS_FRAME_MS;
      const seq = (this.#lastSeq + 1) & 0xffff;
      const ts = (this.#lastTs + step) >>> 0;
      const pkt = Buffer.alloc(12 + OPUS_SILENCE.length);
      pkt[0] = 0x80;
      pkt[1] = this.#o.payloadType;
      pkt.writeUInt16BE(seq, 2);
      pkt.writeUInt32BE(ts, 4);
      pkt.writeUInt32BE(this.#ssrc, 8);
      OPUS_SILENCE.copy(pkt, 12);
      this.#emit(pkt, seq, ts);
      this.#lastAt = at;
    }
  }
}
