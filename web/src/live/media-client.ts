/**
 * Browser side of the video conference (mediasoup-client over the shared
 * Socket.IO contract). One MediaSession per live view:
 * - receives: the stage video and every unpaused mic (the server's mic policy
 *   pauses everyone who may not speak, so this stays a handful of streams);
 * - publishes (bridge operators, or a delegate given the floor): camera
 *   and/or mic; the server keeps a bridge's mic paused until the floor opens it.
 * The session is disposable: after a reconnect or a `media:room-reset` the view
 * closes it and starts a new one, since the server's room is gone.
 */
import type { Consumer, Device, Producer, Transport } from 'mediasoup-client/types';
import type { ProducerInfo, TransportOptions } from '@diemcau/shared';
import { send } from '../lib/socket.ts';
import { createStore } from '../lib/store.ts';

export interface PublishOptions {
  video: boolean;
  audio: boolean;
}

export interface LocalState {
  camera: 'off' | 'starting' | 'on' | 'error';
  mic: 'off' | 'starting' | 'on' | 'error';
  error: string | null;
}

/** Bridges publish three simulcast layers (server codecs.ts SIMULCAST_LAYERS). */
const SIMULCAST = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

export class MediaSession {
  /** Remote tracks by producer id. */
  readonly tracks = createStore<ReadonlyMap<string, MediaStreamTrack>>(new Map());
  readonly local = createStore<LocalState>({ camera: 'off', mic: 'off', error: null });
  #device: Device | null = null;
  #recv: Transport | null = null;
  #send: Transport | null = null;
  #consumers = new Map<string, Consumer>();
  #pending = new Map<string, Promise<void>>();
  #producers: { audio?: Producer; video?: Producer } = {};
  #localStream: MediaStream | null = null;
  #closed = false;

  private constructor() {}

  /** Loads the device and opens the receive transport (and the send one when publishing). */
  static async create(publish: PublishOptions | null): Promise<MediaSession> {
    const s = new MediaSession();
    try {
      await s.#start(publish);
    } catch (e) {
      s.close();
      throw e;
    }
    return s;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #start(publish: PublishOptions | null): Promise<void> {
    const { Device } = await import('mediasoup-client');
    const { routerRtpCapabilities } = await send('media:get-capabilities', {});
    const device = new Device();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as Parameters<Device['load']>[0]['routerRtpCapabilities'] });
    this.#device = device;
    const recvOpts = await send('transport:create', {
      direction: 'recv',
      rtpCapabilities: device.recvRtpCapabilities as never,
    });
    this.#recv = device.createRecvTransport(this.#transportParams(recvOpts));
    this.#wire(this.#recv);
    if (publish && (publish.video || publish.audio)) await this.#publish(publish);
  }

  #transportParams(o: TransportOptions) {
    return {
      id: o.id,
      iceParameters: o.iceParameters,
      iceCandidates: o.iceCandidates,
      dtlsParameters: o.dtlsParameters,
    } as Parameters<Device['createRecvTransport']>[0];
  }

  #wire(t: Transport): void {
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      send('transport:connect', { transportId: t.id, dtlsParameters: dtlsParameters as never }).then(() => ok(), fail);
    });
    t.on('connectionstatechange', (state) => {
      if (state === 'disconnected' && !this.#closed) {
        // A LAN hiccup: ask for new ICE credentials before giving up on the transport.
        send('transport:restart-ice', { transportId: t.id })
          .then(({ iceParameters }) => t.restartIce({ iceParameters: iceParameters as never }))
          .catch(() => {});
      }
    });
  }

  async #publish(p: PublishOptions): Promise<void> {
    const device = this.#device!;
    const opts = await send('transport:create', { direction: 'send' });
    const t = device.createSendTransport(this.#transportParams(opts));
    this.#send = t;
    this.#wire(t);
    t.on('produce', ({ kind, rtpParameters }, ok, fail) => {
      send('media:produce', { transportId: t.id, kind, rtpParameters: rtpParameters as never }).then(({ producerId }) => ok({ id: producerId }), fail);
    });
    this.local.set({ camera: p.video ? 'starting' : 'off', mic: p.audio ? 'starting' : 'off', error: null });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: p.video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 25 } } : false,
        audio: p.audio ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true } : false,
      });
    } catch (e) {
      this.local.set({ camera: p.video ? 'error' : 'off', mic: p.audio ? 'error' : 'off', error: (e as Error).name || 'getUserMedia' });
      return;
    }
    if (this.#closed) {
      stream.getTracks().forEach((tr) => tr.stop());
      return;
    }
    this.#localStream = stream;
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    if (video && device.canProduce('video')) {
      this.#producers.video = await t.produce({ track: video, encodings: SIMULCAST, codecOptions: { videoGoogleStartBitrate: 300 } });
      this.local.set((l) => ({ ...l, camera: 'on' }));
    }
    if (audio && device.canProduce('audio')) {
      this.#producers.audio = await t.produce({ track: audio, codecOptions: { opusStereo: false, opusDtx: true } });
      this.local.set((l) => ({ ...l, mic: 'on' }));
    }
  }

  /** Ids of what this session publishes (a bridge on stage shows its own camera locally). */
  get ownProducerIds(): string[] {
    return [this.#producers.audio?.id, this.#producers.video?.id].filter((x): x is string => !!x);
  }

  /** The local camera stream, for a self-view. */
  get localStream(): MediaStream | null {
    return this.#localStream;
  }

  /** Camera on/off for this bridge (a paused producer costs no bandwidth). */
  async setCamera(on: boolean): Promise<void> {
    const p = this.#producers.video;
    if (!p) return;
    await send(on ? 'producer:resume' : 'producer:pause', { producerId: p.id });
    if (on) p.resume();
    else p.pause();
    this.local.set((l) => ({ ...l, camera: on ? 'on' : 'off' }));
  }

  /**
   * Makes the set of consumed producers equal `wanted` (excluding our own).
   * Idempotent; concurrent calls for the same producer share one request.
   */
  sync(wanted: ProducerInfo[]): void {
    if (this.#closed || !this.#recv) return;
    const own = new Set([this.#producers.audio?.id, this.#producers.video?.id]);
    const ids = new Set(wanted.filter((p) => !own.has(p.producerId)).map((p) => p.producerId));
    for (const [pid, c] of this.#consumers) {
      if (!ids.has(pid)) {
        c.close();
        this.#consumers.delete(pid);
        this.#dropTrack(pid);
        send('consumer:pause', { consumerId: c.id }).catch(() => {});
      }
    }
    for (const pid of ids) if (!this.#consumers.has(pid) && !this.#pending.has(pid)) this.#pending.set(pid, this.#consume(pid));
  }

  async #consume(producerId: string): Promise<void> {
    try {
      const recv = this.#recv!;
      const o = await send('media:consume', { transportId: recv.id, producerId });
      if (this.#closed) return;
      const c = await recv.consume({ id: o.consumerId, producerId: o.producerId, kind: o.kind, rtpParameters: o.rtpParameters as never });
      this.#consumers.set(producerId, c);
      c.on('trackended', () => this.#dropTrack(producerId));
      if (o.paused) await send('consumer:resume', { consumerId: o.consumerId });
      const next = new Map(this.tracks.get());
      next.set(producerId, c.track);
      this.tracks.set(next);
    } catch {
      // The producer may have closed meanwhile; the next sync retries if it is still wanted.
    } finally {
      this.#pending.delete(producerId);
    }
  }

  #dropTrack(producerId: string): void {
    if (!this.tracks.get().has(producerId)) return;
    const next = new Map(this.tracks.get());
    next.delete(producerId);
    this.tracks.set(next);
  }

  /** Bytes received per consumed producer (diagnostics and tests). */
  async stats(): Promise<Record<string, { kind: string; bytesReceived: number }>> {
    const out: Record<string, { kind: string; bytesReceived: number }> = {};
    for (const [pid, c] of this.#consumers) {
      let bytes = 0;
      (await c.getStats()).forEach((r: { type?: string; bytesReceived?: number }) => {
        if (r.type === 'inbound-rtp') bytes += r.bytesReceived ?? 0;
      });
      out[pid] = { kind: c.kind, bytesReceived: bytes };
    }
    return out;
  }

  /** Idempotent. Stops the local devices too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#consumers.values()) c.close();
    this.#consumers.clear();
    this.#producers.audio?.close();
    this.#producers.video?.close();
    this.#recv?.close();
    this.#send?.close();
    this.#localStream?.getTracks().forEach((tr) => tr.stop());
    this.tracks.set(new Map());
    this.local.set({ camera: 'off', mic: 'off', error: null });
  }
}
