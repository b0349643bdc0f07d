/**
 * The receiving side: a UDP socket that mediasoup consumers on a
 * PlainTransport send to. It counts what arrives (per SSRC and simulcast layer)
 * so tests and benches can measure forwarding, and lets them wait for a
 * condition on those counts.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { parseRtp } from './rtp-packets.ts';
import { WAIT_MS } from './until.ts';

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

  /** Binds to an ephemeral loopback port and returns it (the consumer transport's connect() target). */
  async bind(): Promise<number> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    return (this.#socket.address() as AddressInfo).port;
  }

  /** The bound port; only valid after bind(). */
  get port(): number {
    return (this.#socket.address() as AddressInfo).port;
  }

  /** Resolves when `check()` holds after some packet, or rejects after `timeoutMs`. */
  until(check: () => boolean, timeoutMs = WAIT_MS, what = 'RTP'): Promise<void> {
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

  /** Closes the socket; safe to call twice. */
  close(): void {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }
}
