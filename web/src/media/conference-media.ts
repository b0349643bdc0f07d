/**
 * A small mediasoup-client session over the shared Socket.IO contract, with
 * per-stream simulcast layers (the chair's grid asks for the lowest layer)
 * and automatic rejoin after `media:room-reset`.
 *
 * It is transport-agnostic: give it `request` (send a command, resolve the ack
 * data or throw) and `on` (subscribe to a broadcast). The views' own session
 * (web/src/live/media-client.ts) covers the stage; this one is what the
 * browser e2e test drives and what a grid view can use.
 */
import type { Consumer, Device, Producer, Transport } from 'mediasoup-client/types';
import { SIMULCAST_ENCODINGS, type ConferenceMediaOptions } from './conference-media-types.ts';
import { readInboundStats, type InboundStats } from './inbound-stats.ts';
import { transportParams, wireTransport } from './transport-ice.ts';

export { SIMULCAST_ENCODINGS, type ConferenceMediaOptions, type OnFn, type RequestFn } from './conference-media-types.ts';
export type { InboundStats } from './inbound-stats.ts';

interface Wanted {
  spatialLayer: number | undefined;
}

export class ConferenceMedia {
  readonly #opts: ConferenceMediaOptions;
  #recv: Transport | null = null;
  #send: Transport | null = null;
  #stream: MediaStream | null = null;
  readonly #producers: { audio?: Producer; video?: Producer } = {};
  /**
   * Ids of our own producers, known from the server's answer to `media:produce`, before
   * mediasoup-client hands back the Producer. The server announces a new producer to the
   * whole meeting (us included) before it answers, so a sync can see our own stream first.
   */
  readonly #ownIds = new Set<string>();
  readonly #consumers = new Map<string, Consumer>();
  readonly #pending = new Map<string, Promise<Consumer | null>>();
  /** What the view wants to receive, kept across a rejoin. */
  readonly #wanted = new Map<string, Wanted>();
  readonly #off: (() => void)[] = [];
  #published: Promise<void> = Promise.resolve();
  /** Transports with an ICE restart loop running. */
  readonly #restarting = new Set<string>();
  #epoch = 0;
  #closed = false;

  private constructor(opts: ConferenceMediaOptions) {
    this.#opts = opts;
  }

  /** Joins the meeting's media room (the socket must have joined the meeting). */
  static async join(opts: ConferenceMediaOptions): Promise<ConferenceMedia> {
    const m = new ConferenceMedia(opts);
    m.#off.push(opts.on('media:room-reset', () => void m.#rejoin()));
    m.#off.push(
      opts.on('producer:closed', ({ producerId }) => {
        m.#consumers.get(producerId)?.close();
        m.#consumers.delete(producerId);
      }),
    );
    try {
      await m.#start();
    } catch (e) {
      m.close();
      throw e;
    }
    return m;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Settles when this join's publishing has (resolves, also when nothing is
   * published) or has failed (rejects with e.g. the getUserMedia error).
   */
  get published(): Promise<void> {
    return this.#published;
  }

  /** Our own producer ids (camera, mic). */
  get producerIds(): { video: string | null; audio: string | null } {
    return { video: this.#producers.video?.id ?? null, audio: this.#producers.audio?.id ?? null };
  }

  /** Remote track of a consumed producer. */
  track(producerId: string): MediaStreamTrack | null {
    return this.#consumers.get(producerId)?.track ?? null;
  }

  /**
   * Makes the consumed set equal `wanted` (producer id → wanted layer or
   * undefined for the highest). Own producers are skipped.
   */
  async sync(wanted: ReadonlyMap<string, number | undefined>): Promise<void> {
    const own = this.#ownIds;
    for (const id of [...this.#wanted.keys()]) if (!wanted.has(id) || own.has(id)) this.#unconsume(id);
    const jobs: Promise<unknown>[] = [];
    for (const [id, layer] of wanted) {
      if (own.has(id)) continue;
      const prev = this.#wanted.get(id);
      this.#wanted.set(id, { spatialLayer: layer });
      if (!this.#consumers.has(id) && !this.#pending.has(id)) jobs.push(this.#consume(id));
      // A grid tile promoted to the stage goes back to the top layer, and the other way round.
      else if (prev && prev.spatialLayer !== layer) jobs.push(this.#setLayer(id, layer ?? SIMULCAST_ENCODINGS.length - 1));
    }
    await Promise.allSettled(jobs);
  }

  /** Mutes/unmutes our mic. Unmuting is refused by the server unless the floor or the chair allows it. */
  async setMicMuted(muted: boolean): Promise<void> {
    const p = this.#producers.audio;
    if (!p) return;
    await this.#opts.request(muted ? 'producer:pause' : 'producer:resume', { producerId: p.id });
    if (muted) p.pause();
    else p.resume();
  }

  /** Inbound stats per consumed producer (decoded frames, bytes, audio energy). */
  async stats(): Promise<InboundStats[]> {
    const out: InboundStats[] = [];
    for (const [producerId, c] of this.#consumers) out.push(await readInboundStats(producerId, c));
    return out;
  }

  /**
   * The socket came back after a disconnect: the server dropped our peer when it left (and
   * with several nodes the socket may have landed on another node, whose room never knew us),
   * so build transports, producers and consumers again on whichever node it reached. What the
   * view wanted is consumed again; our camera and mic are reused.
   */
  reconnected(): Promise<void> {
    return this.#rejoin();
  }

  /** Leaves the media room (server side follows on meeting:leave/disconnect). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#off.splice(0)) off();
    this.#teardown();
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#stream = null;
  }

  // ---- internals -------------------------------------------------------------

  async #start(): Promise<void> {
    const epoch = ++this.#epoch;
    const { Device } = await import('mediasoup-client');
    const { routerRtpCapabilities } = await this.#opts.request('media:get-capabilities', {});
    const device = new Device();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as never });
    if (epoch !== this.#epoch) return;
    const recv = await this.#opts.request('transport:create', { direction: 'recv', rtpCapabilities: device.rtpCapabilities as never });
    this.#recv = this.#wire(device.createRecvTransport(transportParams(recv)));
    const p = this.#opts.publish;
    if (p && (p.video || p.audio)) {
      this.#published = this.#publish(device, p, epoch);
      if (this.#opts.publishInBackground) this.#published.catch(() => {}); // the caller reads `published`
      else await this.#published;
    }
    // After a rejoin, take up what was wanted before.
    await Promise.allSettled([...this.#wanted.keys()].map((id) => this.#consume(id)));
  }

  async #publish(device: Device, p: { video: boolean; audio: boolean }, epoch: number): Promise<void> {
    // The camera takes longest to open: ask for it at once, while the stage is being received.
    const devices = this.#openDevices(p);
    devices.catch(() => {});
    await this.#opts.publishAfter?.catch(() => {});
    const [opts, stream] = await Promise.allSettled([this.#opts.request('transport:create', { direction: 'send' }), devices]);
    if (stream.status === 'fulfilled') {
      // Closed meanwhile: nobody else will stop a camera opened after close().
      if (this.#closed) return stream.value.getTracks().forEach((tr) => tr.stop());
      this.#stream = stream.value;
    }
    if (stream.status === 'rejected') throw stream.reason;
    if (opts.status === 'rejected') throw opts.reason;
    const media = stream.value;
    if (epoch !== this.#epoch || this.#closed) return;
    const t = this.#wire(device.createSendTransport(transportParams(opts.value)));
    this.#send = t;
    t.on('produce', ({ kind, rtpParameters }, ok, fail) => {
      this.#opts.request('media:produce', { transportId: t.id, kind, rtpParameters: rtpParameters as never }).then(({ producerId }) => {
        // Never receive our own stream back (a hall would hear itself): a sync that ran on the
        // announcement, which precedes this answer, may already have asked for it.
        this.#ownIds.add(producerId);
        if (this.#wanted.has(producerId)) this.#unconsume(producerId);
        ok({ id: producerId });
      }, fail);
    });
    const video = media.getVideoTracks()[0];
    const audio = media.getAudioTracks()[0];
    if (video && p.video && device.canProduce('video')) {
      this.#producers.video = await t.produce({ track: video, encodings: SIMULCAST_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 300 }, stopTracks: false });
    }
    if (audio && p.audio && device.canProduce('audio')) {
      this.#producers.audio = await t.produce({ track: audio, codecOptions: { opusStereo: false, opusDtx: true }, stopTracks: false });
    }
  }

  /** Reuses the devices across a rejoin: asking again could prompt the operator. */
  async #openDevices(p: { video: boolean; audio: boolean }): Promise<MediaStream> {
    if (this.#stream && !this.#stream.getTracks().some((tr) => tr.readyState === 'ended')) return this.#stream;
    const gum = this.#opts.getUserMedia ?? ((c) => navigator.mediaDevices.getUserMedia(c));
    return gum({
      video: p.video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 } } : false,
      audio: p.audio ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true } : false,
    });
  }

  #wire(t: Transport): Transport {
    return wireTransport(t, this.#opts, () => this.#closed, this.#restarting);
  }

  #consume(producerId: string): Promise<Consumer | null> {
    const existing = this.#pending.get(producerId);
    if (existing) return existing;
    const epoch = this.#epoch;
    const job = (async () => {
      const recv = this.#recv;
      const w = this.#wanted.get(producerId);
      if (!recv || !w) return null;
      const o = await this.#opts.request('media:consume', {
        transportId: recv.id,
        producerId,
        ...(w.spatialLayer !== undefined ? { spatialLayer: w.spatialLayer } : {}),
      });
      if (epoch !== this.#epoch || this.#closed) return null;
      const c = await recv.consume({ id: o.consumerId, producerId: o.producerId, kind: o.kind, rtpParameters: o.rtpParameters as never });
      // Dropped while being set up (no longer wanted, or it turned out to be our own stream).
      if (!this.#wanted.has(producerId) || this.#ownIds.has(producerId)) {
        this.#opts.request('consumer:pause', { consumerId: o.consumerId }).catch(() => {});
        c.close();
        return null;
      }
      this.#consumers.set(producerId, c);
      await this.#opts.request('consumer:resume', { consumerId: o.consumerId });
      return c;
    })()
      .catch(() => null)
      .finally(() => this.#pending.delete(producerId));
    this.#pending.set(producerId, job);
    return job;
  }

  async #setLayer(producerId: string, spatialLayer: number): Promise<void> {
    const c = this.#consumers.get(producerId) ?? (await this.#pending.get(producerId));
    if (c) await this.#opts.request('consumer:set-layers', { consumerId: c.id, spatialLayer }).catch(() => {});
  }

  #unconsume(producerId: string): void {
    this.#wanted.delete(producerId);
    const c = this.#consumers.get(producerId);
    if (!c) return;
    this.#consumers.delete(producerId);
    // Pausing server-side stops the forwarding at once; the consumer goes when the transport does.
    this.#opts.request('consumer:pause', { consumerId: c.id }).catch(() => {});
    c.close();
  }

  #teardown(): void {
    for (const c of this.#consumers.values()) c.close();
    this.#consumers.clear();
    this.#pending.clear();
    this.#producers.audio?.close();
    this.#producers.video?.close();
    delete this.#producers.audio;
    delete this.#producers.video;
    this.#recv?.close();
    this.#send?.close();
    this.#recv = this.#send = null;
  }

  /** The server rebuilt the room (a worker died): drop everything and join again. */
  async #rejoin(): Promise<void> {
    if (this.#closed) return;
    this.#teardown();
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        await this.#start();
        this.#opts.onRejoined?.();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(5000, 500 * 2 ** attempt)));
      }
    }
  }
}
