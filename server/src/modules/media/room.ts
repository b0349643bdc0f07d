/**
 * The media room of one live meeting: its routers, peers and producers.
 *
 * A room starts with one router on the least-loaded worker and keeps to it
 * while that worker's measured and modelled load leaves room (placement.ts);
 * near the limit it adds a router on the least-loaded other worker, so new
 * transports land there, and a producer living elsewhere is piped across
 * with pipeToRouter when a consumer there first uses it (router-set.ts).
 * Policy (who may speak, who is on stage) lives in the media service; the
 * room only moves media.
 */
import { EventEmitter } from 'node:events';
import { AppError, notFound } from '../../lib/app-error.ts';
import { createSpeakerObserver, watchActiveSpeaker } from './active-speaker.ts';
import { noopLogger, type MediaLogger } from './logger.ts';
import { mediaCall } from './media-errors.ts';
import type { ms } from './mediasoup.ts';
import { Peer, type ConsumerEntry, type Direction, type PeerInfo, type TransportEntry } from './peer.ts';
import type { WorkerPool } from './worker-pool.ts';
import { assertCodecsMatchKind, consumerOptions, plainTransportOptions, wantedSpatialLayer, webRtcTransportOptions } from './room-params.ts';
import type { ProducerEntry, RoomCloseReason, RoomEvents, RoomOptions } from './room-types.ts';
import { RouterSet, type RouterLoad } from './router-set.ts';

export type { RoomCloseReason, RoomEvents, RoomOptions, RouterLoad };

export class Room extends EventEmitter<RoomEvents> {
  readonly meetingId: number;
  readonly #pool: WorkerPool;
  readonly #opts: RoomOptions;
  readonly #log: MediaLogger;
  readonly #routers: RouterSet;
  readonly #peers = new Map<string, Peer>();
  readonly #producers = new Map<string, ProducerEntry>();
  #audioLevel: ms.AudioLevelObserver | null = null;
  #closed = false;

  private constructor(opts: RoomOptions) {
    super();
    this.meetingId = opts.meetingId;
    this.#pool = opts.pool;
    this.#opts = opts;
    this.#log = opts.logger ?? noopLogger;
    this.#routers = new RouterSet({
      meetingId: opts.meetingId,
      pool: opts.pool,
      budget: opts.consumerBudget,
      log: this.#log,
      onWorkerClosed: () => this.close('worker-died'),
      onAdded: (info) => this.emit('routeradded', info),
    });
  }

  /** Creates the room with one router on the least-loaded worker and an active-speaker observer. */
  static async create(opts: RoomOptions): Promise<Room> {
    const room = new Room(opts);
    let observer: ms.AudioLevelObserver;
    try {
      const entry = await room.#routers.add();
      observer = await createSpeakerObserver(entry.router);
    } catch (err) {
      // Give back whatever was created (the router) before reporting the failure.
      room.close('closed');
      throw err;
    }
    watchActiveSpeaker(
      observer,
      (producerId) => room.#producers.get(producerId)?.peer ?? null,
      (speaker) => room.emit('activespeaker', speaker),
    );
    room.#audioLevel = observer;
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#routers.primary.router.rtpCapabilities;
  }

  routerLoads(): RouterLoad[] {
    return this.#routers.loads();
  }

  /** Whether any of this room's routers runs on `worker`. */
  usesWorker(worker: ms.Worker): boolean {
    return this.#routers.usesWorker(worker);
  }

  /** Adds a peer (`remote`: standing for another node's, pipe-ingress.ts), or returns the existing one with that id. */
  addPeer(id: string, info: PeerInfo, remote = false): Peer {
    this.#assertOpen();
    const existing = this.#peers.get(id);
    if (existing) return existing;
    const peer = Peer.create({ id, info, remote });
    this.#peers.set(id, peer);
    peer.once('close', () => {
      this.#peers.delete(id);
      // Streams piped in from other nodes are for this node's own peers: with the last of them gone, the room goes
      // (its pipe links close with it and their origins are told).
      if (![...this.#peers.values()].some((p) => !p.remote)) this.close('empty');
    });
    return peer;
  }

  peer(id: string): Peer | undefined {
    return this.#peers.get(id);
  }

  peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** Closes the peer; the room closes itself when its last peer leaves. */
  removePeer(id: string): void {
    this.#peers.get(id)?.close();
  }

  /** Owner and router of a producer, or NOT_FOUND. */
  producerEntry(producerId: string): { producer: ms.Producer; peer: Peer; router: ms.Router } {
    const p = this.#producers.get(producerId);
    if (!p) throw notFound('Producer');
    return p;
  }

  producerEntries(): { producer: ms.Producer; peer: Peer; router: ms.Router }[] {
    return [...this.#producers.values()];
  }

  async createWebRtcTransport(peer: Peer, direction: Direction): Promise<ms.WebRtcTransport> {
    return this.#createTransport(peer, direction, (router) => router.createWebRtcTransport(webRtcTransportOptions(this.#opts, peer, direction)));
  }

  /** Plain RTP transport, used by tests and the benchmark to inject and capture RTP. */
  async createPlainTransport(peer: Peer, direction: Direction, opts: { comedia?: boolean } = {}): Promise<ms.PlainTransport> {
    return this.#createTransport(peer, direction, (router) => router.createPlainTransport(plainTransportOptions(this.#opts, peer, direction, opts.comedia)));
  }

  async connectTransport(peer: Peer, transportId: string, params: { dtlsParameters: ms.DtlsParameters }): Promise<void> {
    const { transport } = peer.transport(transportId);
    await mediaCall('transport:connect', () => transport.connect(params));
  }

  async restartIce(peer: Peer, transportId: string): Promise<ms.IceParameters> {
    const { transport } = peer.transport(transportId);
    if (!('restartIce' in transport)) throw new AppError('VALIDATION_FAILED', 400, 'Not a WebRTC transport');
    return mediaCall('transport:restart-ice', () => transport.restartIce());
  }

  async produce(
    peer: Peer,
    req: { transportId: string; kind: ms.MediaKind; rtpParameters: ms.RtpParameters; paused?: boolean },
  ): Promise<ms.Producer> {
    const { transport, router } = peer.transport(req.transportId, 'send');
    assertCodecsMatchKind(req.kind, req.rtpParameters);
    const release = peer.reserveKind(req.kind);
    let producer: ms.Producer;
    try {
      producer = await mediaCall('media:produce', () =>
        transport.produce({ kind: req.kind, rtpParameters: req.rtpParameters, paused: req.paused ?? false, appData: { peerId: peer.id } }),
      );
    } finally {
      release();
    }
    if (this.#closed || peer.closed) {
      producer.close();
      throw new AppError('MEDIA_ERROR', 409, 'Left the media room while producing');
    }
    this.adoptProducer(peer, producer, router);
    return producer;
  }

  /**
   * A pipe transport on the room's first router for media piped in from
   * another node (pipe-ingress.ts). It counts as no peer's transport: the
   * link it belongs to closes it, and the room closing closes it with the router.
   */
  async createPipeTransport(opts: ms.PipeTransportOptions): Promise<{ transport: ms.PipeTransport; router: ms.Router }> {
    this.#assertOpen();
    const router = this.#routers.primary.router;
    const transport = await mediaCall('pipe:create', () => router.createPipeTransport(opts));
    if (this.#closed) {
      transport.close();
      throw new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');
    }
    return { transport, router };
  }

  /**
   * Makes `producer` (created on `router`, by produce() or over a pipe from
   * another node) the room's: consumable, announced, heard by the active-speaker
   * observer, forgotten when it closes. A producer piped in from another node is
   * thus consumed by this node's bridges exactly like a local one.
   */
  adoptProducer(peer: Peer, producer: ms.Producer, router: ms.Router): void {
    this.#assertOpen();
    peer.addProducer(producer);
    this.#pool.trackProducer(router, producer);
    this.#producers.set(producer.id, { producer, peer, router });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.emit('producerclosed', { peer, producerId: producer.id, kind: producer.kind });
    });
    if (producer.kind === 'audio') {
      // The observer lives on the first router; audio produced elsewhere is piped to it.
      // Held for the producer's life; the pipe closes with the producer.
      this.#routers
        .acquire(producer.id, router, this.#routers.primary)
        .then(() => this.#audioLevel?.addProducer({ producerId: producer.id }))
        .catch((err: unknown) => this.#log.warn({ err, producerId: producer.id }, 'audio level observer could not add producer'));
    }
    this.emit('newproducer', { peer, producer });
  }

  async consume(
    peer: Peer,
    req: { transportId: string; producerId: string; paused?: boolean; spatialLayer?: number },
  ): Promise<ConsumerEntry> {
    const { transport, router } = peer.transport(req.transportId, 'recv');
    const rtpCapabilities = peer.rtpCapabilities;
    if (!rtpCapabilities) throw new AppError('VALIDATION_FAILED', 400, 'Send the device rtpCapabilities first');
    const src = this.#producers.get(req.producerId);
    if (!src) throw notFound('Producer');
    if (!src.router.canConsume({ producerId: src.producer.id, rtpCapabilities })) {
      throw new AppError('VALIDATION_FAILED', 400, 'This device cannot decode that producer');
    }
    const entry = this.#routers.entryOf(router);
    // The producer is piped here (if it lives elsewhere) for as long as this consumer uses it.
    const releasePipe = await mediaCall('media:consume', () => this.#routers.acquire(src.producer.id, src.router, entry));
    const spatialLayer = wantedSpatialLayer(req.spatialLayer);
    let consumer: ms.Consumer;
    try {
      consumer = await mediaCall('media:consume', () =>
        transport.consume(consumerOptions(src.producer, rtpCapabilities, peer, req.paused ?? true, spatialLayer)),
      );
    } catch (err) {
      releasePipe();
      throw err;
    }
    entry.consumers++;
    this.#pool.trackConsumer(router, consumer);
    consumer.observer.once('close', () => {
      entry.consumers--;
      releasePipe();
    });
    const ce: ConsumerEntry = {
      consumer,
      router,
      wantedSpatialLayer: spatialLayer,
      wantedTemporalLayer: undefined,
      clientPaused: req.paused ?? true,
      policyPaused: false,
    };
    peer.addConsumer(ce);
    return ce;
  }

  /** Closes every peer and router. Idempotent. */
  close(reason: RoomCloseReason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.close();
    this.#peers.clear();
    this.#routers.close();
    this.#producers.clear();
    this.#log.info({ meetingId: this.meetingId, reason }, 'media room closed');
    this.emit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');
  }

  async #createTransport<T extends ms.WebRtcTransport | ms.PlainTransport>(
    peer: Peer,
    direction: Direction,
    create: (router: ms.Router) => Promise<T>,
  ): Promise<T> {
    this.#assertOpen();
    const entry = await this.#routers.forNewTransport();
    const transport = await mediaCall('transport:create', () => create(entry.router));
    if (peer.closed || this.#closed) {
      transport.close();
      throw new AppError('MEDIA_ERROR', 409, 'Left the media room');
    }
    entry.transports++;
    transport.observer.once('close', () => {
      entry.transports--;
      this.#routers.maybeDrop(entry);
    });
    const te: TransportEntry = { transport, router: entry.router, direction };
    peer.addTransport(te);
    return transport;
  }
}
