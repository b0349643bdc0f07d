/**
 * The sending side of the synthetic media: a UDP socket that paces the
 * packets of a set of Streams (rtp-source.ts) to a mediasoup PlainTransport,
 * for the media integration tests and scripts/bench-sfu.ts. Keyframes are sent
 * periodically and whenever mediasoup asks for one (PLI/FIR).
 */
import dgram from 'node:dgram';
import { rtcpPackets } from './rtp-packets.ts';
import { Stream, type StreamSpec } from './rtp-source.ts';

/** Where a pump sends: the PlainTransport's local ip and port. */
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

  /** Starts pacing on a 5 ms timer of its own. */
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

  /** Stops the timer; the socket stays open, so start() may be called again. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Stops and closes the socket. */
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
