/**
 * The views' media session: a thin adapter over the media feature's
 * ConferenceMedia (web/src/media/conference-media.ts), adding what screens
 * need to render — a store of remote tracks, the local camera stream for the
 * self-view, and the camera/mic state in words an operator can act on.
 * One session per join: after a reconnect the view makes a new one, since the
 * server-side peer is gone; ConferenceMedia itself handles `media:room-reset`.
 */
import type { MediaSnapshot } from '@diemcau/shared';
import { ConferenceMedia, type InboundStats } from '../media/conference-media.ts';
import { wantedStreams, type FollowOptions } from '../media/follow.ts';
import { currentCameraBlock } from '../media/secure-context.ts';
import { onBroadcast, send } from '../lib/socket.ts';
import { createStore } from '../lib/store.ts';

export interface PublishOptions {
  video: boolean;
  audio: boolean;
}

export interface LocalState {
  camera: 'off' | 'on' | 'paused' | 'error';
  mic: 'off' | 'on' | 'error';
  /** Why the devices could not be opened: 'insecure-origin', or the DOMException name. */
  error: string | null;
}

const deviceError = (e: unknown): string | null => {
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^(NotAllowed|NotFound|NotReadable|Overconstrained|Security|Abort)Error$/.test(name) ? name : null;
};

/** Longest a bridge waits for its stage before sending its own camera anyway (e.g. nothing is on stage). */
const PUBLISH_WAIT_MS = 2000;

export class MediaSession {
  /** Remote tracks by producer id. */
  readonly tracks = createStore<ReadonlyMap<string, MediaStreamTrack>>(new Map());
  readonly local = createStore<LocalState>({ camera: 'off', mic: 'off', error: null });
  #media: ConferenceMedia | null = null;
  #stream: MediaStream | null = null;
  #wanted = new Map<string, number | undefined>();
  #closed = false;
  /** Resolved by the first sync (the stage is being received): publishing waits for it, at most PUBLISH_WAIT_MS. */
  #firstSync!: () => void;

  private constructor() {}

  /**
   * Joins the meeting's media room. Resolves once receiving works; the camera
   * and mic are published alongside, so the main stage shows while they open
   * (`local` follows their progress). A bridge whose camera or mic cannot be
   * opened keeps receiving, and reports why in `local`.
   */
  static async create(publish: PublishOptions | null): Promise<MediaSession> {
    const s = new MediaSession();
    const wantsDevices = !!publish && (publish.video || publish.audio);
    const block = wantsDevices ? currentCameraBlock() : null;
    const stageFirst = new Promise<void>((resolve) => {
      s.#firstSync = resolve;
      setTimeout(resolve, PUBLISH_WAIT_MS);
    });
    s.#media = await ConferenceMedia.join({
      request: send,
      on: onBroadcast,
      ...(wantsDevices && !block ? { publish: publish!, publishInBackground: true, publishAfter: stageFirst } : {}),
      getUserMedia: async (c) => (s.#stream = await navigator.mediaDevices.getUserMedia(c)),
      onRejoined: () => s.#refresh(),
    });
    const devices = (error: string) => ({ camera: publish?.video ? ('error' as const) : ('off' as const), mic: publish?.audio ? ('error' as const) : ('off' as const), error });
    if (block) s.local.set(devices(block.reason));
    else if (wantsDevices) {
      const media = s.#media;
      media.published.then(
        () => {
          if (s.#closed) return;
          const own = media.producerIds;
          s.local.set({ camera: own.video ? 'on' : 'off', mic: own.audio ? 'on' : 'off', error: null });
        },
        (e: unknown) => {
          // Not a device problem (e.g. the server refused): say so rather than pretend all is well.
          if (!s.#closed) s.local.set(devices(deviceError(e) ?? 'publish-failed'));
        },
      );
    }
    return s;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ids of what this session publishes (a bridge on stage shows its own camera locally). */
  get ownProducerIds(): string[] {
    const p = this.#media?.producerIds;
    return [p?.audio, p?.video].filter((x): x is string => !!x);
  }

  /** The local camera stream, for the self-view. */
  get localStream(): MediaStream | null {
    return this.#stream;
  }

  /** Receives what the screen shows: the stage, open mics and, for the chair, a page of the grid. */
  sync(media: Pick<MediaSnapshot, 'stage' | 'producers'>, follow: FollowOptions = {}): void {
    if (this.#closed || !this.#media) return;
    this.#wanted = wantedStreams(media, follow);
    void this.#media.sync(this.#wanted).then(() => {
      this.#refresh();
      this.#firstSync();
    });
  }

  #refresh(): void {
    if (this.#closed || !this.#media) return;
    const next = new Map<string, MediaStreamTrack>();
    for (const id of this.#wanted.keys()) {
      const tr = this.#media.track(id);
      if (tr) next.set(id, tr);
    }
    const cur = this.tracks.get();
    if (next.size !== cur.size || [...next].some(([k, v]) => cur.get(k) !== v)) this.tracks.set(next);
  }

  /** Camera on/off for this bridge: pauses the producer (no forwarding) and blanks the track. */
  async setCamera(on: boolean): Promise<void> {
    const id = this.#media?.producerIds.video;
    if (!id) return;
    await send(on ? 'producer:resume' : 'producer:pause', { producerId: id });
    this.#stream?.getVideoTracks().forEach((tr) => (tr.enabled = on));
    this.local.set((l) => ({ ...l, camera: on ? 'on' : 'paused' }));
  }

  stats(): Promise<InboundStats[]> {
    return this.#media?.stats() ?? Promise.resolve([]);
  }

  /** Idempotent. Stops the local devices too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#media?.close();
    this.#stream?.getTracks().forEach((tr) => tr.stop());
    this.#stream = null;
    this.tracks.set(new Map());
    this.local.set({ camera: 'off', mic: 'off', error: null });
  }
}
