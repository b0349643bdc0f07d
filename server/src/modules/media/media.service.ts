/**
 * The video conference: one media Room per live meeting plus the meeting's
 * media policy (main stage, who may be heard, link quality). Transport- and
 * socket-agnostic: commands take a peer id (the socket id) and results are
 * plain data; broadcasts go out through a MediaNotifier.
 */
import type { Static } from 'typebox';
import {
  type ConsumerOptions,
  type MediaSnapshot,
  type MicInfo,
  type SourceRef,
  type SpeakerInfo,
  type StageInfo,
  type TransportOptions,
  type mediaBroadcasts,
} from '@diemcau/shared';
import { AppError, forbidden } from '../../lib/app-error.ts';
import type { LinkThresholds } from './link-state.ts';
import { LinkMonitor, linkOf, type LinkEntry } from './link-monitor.ts';
import { noopLogger, type MediaLogger } from './logger.ts';
import { micAllowed, micLive } from './mic-policy.ts';
import { MicGates } from './mic-gates.ts';
import { emptyMediaSnapshot, noSpeaker, producerInfo, stageInfo } from './media.views.ts';
import { WorkerPool } from './worker-pool.ts';
import { Room } from './room.ts';
import type { ms } from './mediasoup.ts';
import type { Peer, PeerInfo } from './peer.ts';
import { applyConsumer, mayProduceAudio, mayProduceVideo, micGated, sameSource, setProducerLive } from './media.policy.ts';
import { mediaCall } from './media-errors.ts';

export type MediaBroadcast = keyof typeof mediaBroadcasts;
export type MediaPayload<E extends MediaBroadcast> = Static<(typeof mediaBroadcasts)[E]>;

/** Where the service's broadcasts go (Socket.IO in the app, a recorder in tests). */
export interface MediaNotifier {
  toMeeting<E extends MediaBroadcast>(meetingId: number, event: E, payload: MediaPayload<E>): void;
  toPeer<E extends MediaBroadcast>(peerId: string, event: E, payload: MediaPayload<E>): void;
}

export interface MediaServiceOptions {
  workerBin: string;
  numWorkers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  listenIp: string;
  announcedIp: string | null;
  consumerBudgetPerRouter: number;
  notifier: MediaNotifier;
  logger?: MediaLogger;
  /** How often link quality is sampled. */
  linkIntervalMs?: number;
  linkThresholds?: LinkThresholds;
}

interface MeetingMedia {
  room: Room | null;
  creating: Promise<Room> | null;
  stage: SourceRef | null;
  speaker: SpeakerInfo;
  mics: MicGates;
  links: Map<string, LinkEntry>;
}

export class MediaService {
  readonly pool: WorkerPool;
  readonly #opts: MediaServiceOptions;
  readonly #log: MediaLogger;
  readonly #meetings = new Map<number, MeetingMedia>();
  readonly #links: LinkMonitor;
  #closed = false;

  private constructor(pool: WorkerPool, opts: MediaServiceOptions) {
    this.pool = pool;
    this.#opts = opts;
    this.#log = opts.logger ?? noopLogger;
    this.#links = new LinkMonitor({
      intervalMs: opts.linkIntervalMs ?? 2000,
      ...(opts.linkThresholds ? { thresholds: opts.linkThresholds } : {}),
      log: this.#log,
      rooms: () => [...this.#meetings].flatMap(([meetingId, mm]) => (mm.room && !mm.room.closed ? [{ meetingId, room: mm.room, links: mm.links }] : [])),
      notify: (peerId, info) => opts.notifier.toPeer(peerId, 'link:changed', info),
    });
  }

  static async create(opts: MediaServiceOptions): Promise<MediaService> {
    const pool = await WorkerPool.create({ ...opts, ...(opts.logger ? { logger: opts.logger } : {}) });
    return new MediaService(pool, opts);
  }

  /** The live room of a meeting, if any (tests and the benchmark use it for plain transports). */
  room(meetingId: number): Room | null {
    return this.#meetings.get(meetingId)?.room ?? null;
  }

  /** Joins the peer to the meeting's media room (creating it) and returns the router capabilities. */
  async getCapabilities(meetingId: number, peerId: string, info: PeerInfo): Promise<{ routerRtpCapabilities: ms.RtpCapabilities }> {
    const room = await this.#ensureRoom(meetingId);
    room.addPeer(peerId, info);
    return { routerRtpCapabilities: room.rtpCapabilities };
  }

  async createTransport(
    meetingId: number,
    peerId: string,
    req: { direction: 'send' | 'recv'; rtpCapabilities?: ms.RtpCapabilities | undefined },
  ): Promise<TransportOptions> {
    const { room, peer } = this.#peer(meetingId, peerId);
    if (req.direction === 'recv') {
      if (!req.rtpCapabilities) throw new AppError('VALIDATION_FAILED', 400, 'rtpCapabilities are required for a receive transport');
      peer.rtpCapabilities = req.rtpCapabilities;
    } else if (!mayProduceVideo(peer.info) && !mayProduceAudio(peer.info)) {
      throw forbidden('Your role may not send media');
    }
    const t = await room.createWebRtcTransport(peer, req.direction);
    if (req.direction === 'send') await t.setMaxIncomingBitrate(3_000_000).catch(() => {});
    return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  }

  async connectTransport(meetingId: number, peerId: string, req: { transportId: string; dtlsParameters: ms.DtlsParameters }): Promise<void> {
    const { room, peer } = this.#peer(meetingId, peerId);
    await room.connectTransport(peer, req.transportId, { dtlsParameters: req.dtlsParameters });
  }

  async restartIce(meetingId: number, peerId: string, transportId: string): Promise<{ iceParameters: ms.IceParameters }> {
    const { room, peer } = this.#peer(meetingId, peerId);
    return { iceParameters: await room.restartIce(peer, transportId) };
  }

  /**
   * Produces camera or mic media after the role checks. A gated mic starts
   * paused unless the floor or the chair has opened it.
   */
  async produce(
    meetingId: number,
    peerId: string,
    req: { transportId: string; kind: ms.MediaKind; rtpParameters: ms.RtpParameters },
  ): Promise<{ producerId: string; paused: boolean }> {
    const { room, peer, mm } = this.#peer(meetingId, peerId);
    const info = peer.info;
    let paused = false;
    if (req.kind === 'video') {
      if (!mayProduceVideo(info)) throw forbidden('Only an invited bridge point or the secretariat may send video');
    } else {
      if (!mayProduceAudio(info)) throw forbidden('Your role may not send audio');
      if (micGated(info)) {
        const mic = mm.mics.entry(peer.source);
        if (info.role === 'delegate' && !micAllowed(mic.state)) throw forbidden('A delegate may speak only when given the floor');
        paused = !micLive(mic.state);
      }
    }
    const producer = await room.produce(peer, { ...req, paused });
    // One stream per source and kind: a bridge reconnecting from a new tab replaces its old stream.
    for (const other of room.peers()) {
      if (other !== peer && sameSource(other.source, peer.source)) other.producerOfKind(req.kind)?.close();
    }
    return { producerId: producer.id, paused: producer.paused };
  }

  async consume(
    meetingId: number,
    peerId: string,
    req: { transportId: string; producerId: string; spatialLayer?: number | undefined },
  ): Promise<ConsumerOptions> {
    const { room, peer, mm } = this.#peer(meetingId, peerId);
    const owner = room.producerEntry(req.producerId).peer;
    const entry = await room.consume(peer, {
      transportId: req.transportId,
      producerId: req.producerId,
      paused: true,
      ...(req.spatialLayer !== undefined ? { spatialLayer: req.spatialLayer } : {}),
    });
    // Created paused (the client resumes once its track is wired); align layers with the link now.
    await applyConsumer(entry, linkOf(mm.links, peer).status, this.#log);
    const c = entry.consumer;
    return {
      consumerId: c.id,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters,
      type: c.type,
      paused: c.paused,
      producerPaused: c.producerPaused,
      source: owner.source,
    };
  }

  async setConsumerPaused(meetingId: number, peerId: string, consumerId: string, paused: boolean): Promise<void> {
    const { peer, mm } = this.#peer(meetingId, peerId);
    const entry = peer.consumer(consumerId);
    entry.clientPaused = paused;
    await applyConsumer(entry, linkOf(mm.links, peer).status, this.#log);
  }

  async setConsumerLayers(
    meetingId: number,
    peerId: string,
    req: { consumerId: string; spatialLayer: number; temporalLayer?: number | undefined },
  ): Promise<{ spatialLayer: number }> {
    const { peer, mm } = this.#peer(meetingId, peerId);
    const entry = peer.consumer(req.consumerId);
    if (entry.consumer.type !== 'simulcast') throw new AppError('VALIDATION_FAILED', 400, 'This stream has no layers');
    entry.wantedSpatialLayer = req.spatialLayer;
    entry.wantedTemporalLayer = req.temporalLayer;
    const link = linkOf(mm.links, peer).status;
    await applyConsumer(entry, link, this.#log);
    return { spatialLayer: Math.min(req.spatialLayer, link.maxSpatialLayer) };
  }

  /** Pauses/resumes one's own producer; a gated mic cannot be resumed against the chair or without the floor. */
  async setProducerPaused(meetingId: number, peerId: string, producerId: string, paused: boolean): Promise<{ paused: boolean }> {
    const { peer, mm } = this.#peer(meetingId, peerId);
    const producer = peer.producer(producerId);
    if (producer.kind === 'audio' && micGated(peer.info)) {
      if (!mm.mics.apply(peer.source, { type: 'self', muted: paused }, 'self')) {
        throw forbidden('The chair has not given you the floor; you cannot unmute yourself');
      }
      await this.#enforceMic(meetingId, mm, peer.source);
    } else {
      await mediaCall('producer pause', () => setProducerLive(producer, !paused));
    }
    return { paused: producer.paused };
  }

  closeProducer(meetingId: number, peerId: string, producerId: string): void {
    const { peer } = this.#peer(meetingId, peerId);
    peer.producer(producerId).close();
  }

  /** Chair: puts a source on the main stage (null clears it). */
  setStage(meetingId: number, peerId: string, source: SourceRef | null): StageInfo {
    const { mm, peer } = this.#peer(meetingId, peerId);
    if (!peer.info.chair) throw forbidden('Only the chair directs the main stage');
    mm.stage = source;
    const info = stageInfo(mm.room, mm.stage);
    this.#opts.notifier.toMeeting(meetingId, 'stage:changed', info);
    return info;
  }

  /** Chair: mutes or opens one source's mic. */
  async mute(meetingId: number, peerId: string, source: SourceRef, muted: boolean): Promise<MicInfo> {
    const { mm, peer } = this.#peer(meetingId, peerId);
    if (!peer.info.chair) throw forbidden('Only the chair may mute or unmute others');
    mm.mics.apply(source, { type: 'chair', muted }, 'chair');
    return this.#enforceMic(meetingId, mm, source);
  }

  /** Chair: mutes every gated source in the meeting. */
  async muteAll(meetingId: number, peerId: string): Promise<{ muted: number }> {
    const { mm, peer, room } = this.#peer(meetingId, peerId);
    if (!peer.info.chair) throw forbidden('Only the chair may mute everyone');
    for (const p of room.peers()) if (micGated(p.info)) mm.mics.entry(p.source);
    let muted = 0;
    for (const entry of mm.mics.entries()) {
      mm.mics.apply(entry.source, { type: 'mute-all' }, 'mute-all');
      const info = await this.#enforceMic(meetingId, mm, entry.source);
      if (info.muted) muted++;
    }
    return { muted };
  }

  /**
   * The conference floor changed: granting opens the speaker's mic (the bridge
   * mic when they sit at a bridge point, else their phone), revoking closes it.
   */
  async onFloorChanged(meetingId: number, target: { userId: number; bridgePointId: number | null }, granted: boolean): Promise<void> {
    const mm = this.#state(meetingId);
    const source: SourceRef = target.bridgePointId !== null ? { type: 'bridge', bridgePointId: target.bridgePointId } : { type: 'user', userId: target.userId };
    mm.mics.apply(source, { type: 'floor', granted }, 'floor');
    await this.#enforceMic(meetingId, mm, source);
  }

  /**
   * Aligns the mic gates with the conference's current speaker (or none), e.g.
   * when media starts after the floor was granted. Only sources whose floor
   * flag differs are touched, so a chair's mute is not undone by a re-sync.
   */
  async syncFloor(meetingId: number, holder: { userId: number; bridgePointId: number | null } | null): Promise<void> {
    const mm = this.#state(meetingId);
    const holderSource: SourceRef | null = holder
      ? holder.bridgePointId !== null
        ? { type: 'bridge', bridgePointId: holder.bridgePointId }
        : { type: 'user', userId: holder.userId }
      : null;
    for (const e of mm.mics.entries()) {
      if (e.state.floor && !(holderSource && sameSource(e.source, holderSource))) {
        mm.mics.apply(e.source, { type: 'floor', granted: false }, 'floor');
        await this.#enforceMic(meetingId, mm, e.source);
      }
    }
    if (holderSource && !mm.mics.entry(holderSource).state.floor) {
      mm.mics.apply(holderSource, { type: 'floor', granted: true }, 'floor');
      await this.#enforceMic(meetingId, mm, holderSource);
    }
  }

  /** The meeting ended: close its room and forget its media state. */
  endMeeting(meetingId: number): void {
    const mm = this.#meetings.get(meetingId);
    if (!mm) return;
    this.#meetings.delete(meetingId);
    mm.room?.close();
  }

  /** The socket left the meeting or disconnected. */
  leave(meetingId: number, peerId: string): void {
    this.#meetings.get(meetingId)?.room?.removePeer(peerId);
  }

  /** The `media` snapshot part; link states only for the chair. */
  snapshot(meetingId: number, forChair: boolean): MediaSnapshot {
    const mm = this.#meetings.get(meetingId);
    if (!mm) return emptyMediaSnapshot();
    return {
      stage: stageInfo(mm.room, mm.stage),
      activeSpeaker: mm.speaker,
      producers: mm.room ? mm.room.producerEntries().map(({ producer, peer }) => producerInfo(producer, peer)) : [],
      mics: mm.mics.entries().map((e) => mm.mics.info(e.source)),
      links: forChair ? [...mm.links.values()].map((l) => l.info) : [],
    };
  }

  /** Closes every room and worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#links.close();
    for (const mm of this.#meetings.values()) mm.room?.close();
    this.#meetings.clear();
    this.pool.close();
  }

  // ---- internals -------------------------------------------------------------

  #state(meetingId: number): MeetingMedia {
    let mm = this.#meetings.get(meetingId);
    if (!mm) {
      mm = { room: null, creating: null, stage: null, speaker: noSpeaker(), mics: new MicGates(), links: new Map() };
      this.#meetings.set(meetingId, mm);
    }
    return mm;
  }

  async #ensureRoom(meetingId: number): Promise<Room> {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 503, 'Media service stopped');
    const mm = this.#state(meetingId);
    if (mm.room && !mm.room.closed) return mm.room;
    mm.creating ??= Room.create({
      meetingId,
      pool: this.pool,
      consumerBudget: this.#opts.consumerBudgetPerRouter,
      listenIp: this.#opts.listenIp,
      announcedIp: this.#opts.announcedIp,
      logger: this.#log,
    })
      .then((room) => {
        mm.room = room;
        this.#wireRoom(meetingId, mm, room);
        return room;
      })
      .catch((err: unknown) => {
        throw err instanceof AppError ? err : new AppError('MEDIA_ERROR', 503, `Media room unavailable: ${(err as Error).message}`);
      })
      .finally(() => (mm.creating = null));
    return mm.creating;
  }

  #wireRoom(meetingId: number, mm: MeetingMedia, room: Room): void {
    const n = this.#opts.notifier;
    room.on('newproducer', ({ peer, producer }) => {
      n.toMeeting(meetingId, 'producer:added', producerInfo(producer, peer));
      producer.observer.on('pause', () => n.toMeeting(meetingId, 'producer:paused', { producerId: producer.id, paused: true }));
      producer.observer.on('resume', () => n.toMeeting(meetingId, 'producer:paused', { producerId: producer.id, paused: false }));
      if (mm.stage && sameSource(mm.stage, peer.source)) n.toMeeting(meetingId, 'stage:changed', stageInfo(mm.room, mm.stage));
    });
    room.on('producerclosed', ({ peer, producerId, kind }) => {
      n.toMeeting(meetingId, 'producer:closed', { producerId, source: peer.source, kind });
      if (mm.stage && sameSource(mm.stage, peer.source)) n.toMeeting(meetingId, 'stage:changed', stageInfo(mm.room, mm.stage));
    });
    room.on('activespeaker', ({ peer, producerId, volume }) => {
      const prev = mm.speaker;
      mm.speaker = { source: peer?.source ?? null, producerId, volume };
      // Volume changes every interval; only a change of speaker is news.
      if (prev.producerId !== producerId) n.toMeeting(meetingId, 'speaker:active', mm.speaker);
    });
    room.once('close', (reason) => {
      if (mm.room === room) mm.room = null;
      mm.links.clear();
      mm.speaker = noSpeaker();
      if (reason === 'worker-died' && !this.#closed) {
        // Clients drop their transports and run the join flow again; policy state (stage, mics) survives.
        n.toMeeting(meetingId, 'media:room-reset', { reason: 'worker-died' });
      }
    });
  }

  #peer(meetingId: number, peerId: string): { mm: MeetingMedia; room: Room; peer: Peer } {
    const mm = this.#meetings.get(meetingId);
    const room = mm?.room;
    const peer = room?.peer(peerId);
    if (!mm || !room || !peer) throw new AppError('MEDIA_ERROR', 409, 'Not in the media room; call media:get-capabilities first');
    return { mm, room, peer };
  }

  /** Makes the source's mic producers match the policy and tells the meeting. */
  async #enforceMic(meetingId: number, mm: MeetingMedia, source: SourceRef): Promise<MicInfo> {
    const info = await mm.mics.enforce(mm.room, source);
    this.#opts.notifier.toMeeting(meetingId, 'media:muted', info);
    return info;
  }
}
