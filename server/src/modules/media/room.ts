/**
 * The media room of one live meeting: its routers, peers and producers.
 *
 * A room starts with one router on the least-loaded worker. Transports are
 * placed on the room router with the fewest consumers below the budget; when
 * every router is at its budget the room adds a router on another worker, so
 * new consumers land there, and producers living elsewhere are piped across
 * with pipeToRouter on first use. Policy (who may speak, who is on stage)
 * lives in the media service; the room only moves media.
 */
import { EventEmitter } from 'node:events';
import { AppError, notFound } from '../../lib/app-error.ts';
import { noopLogger, type MediaLogger } from './logger.ts';
import { mediaCall } from './media-errors.ts';
import type { ms } from './mediasoup.ts';
import { Peer, type ConsumerEntry, type Direction, type PeerInfo, type TransportEntry } from './peer.ts';
import type { WorkerPool } from './worker-pool.ts';
import { MAX_SPATIAL_LAYER } from './codecs.ts';

export interface RoomOptions {
  meetingId: number;
  pool: WorkerPool;
  /** Consumers one router takes before the room spreads to another worker. */
  consumerBudget: number;
  listenIp: string;
  announcedIp: string | null;
  logger?: MediaLogger;
}

export type RoomCloseReason = 'empty' | 'worker-died' | 'closed';

export interface RoomEvents {
  close: [reason: RoomCloseReason];
  newproducer: [{ peer: Peer; producer: ms.Producer }];
  producerclosed: [{ peer: Peer; producerId: string; kind: ms.MediaKind }];
  activespeaker: [{ peer: Peer | null; producerId: string | null; volume: number | null }];
  routeradded: [{ routerId: string; workerPid: number | null }];
}

interface RouterEntry {
  router: ms.Router;
  consumers: number;
  transports: number;
}

interface ProducerEntry {
  producer: ms.Producer;
  peer: Peer;
  router: ms.Router;
}

export interface RouterLoad {
  routerId: string;
  workerPid: number | null;
  consumers: number;
  transports: number;
}

export class Room extends EventEmitter<RoomEvents> {
  readonly meetingId: number;
  readonly #pool: WorkerPool;
  readonly #opts: RoomOptions;
  readonly #log: MediaLogger;
  readonly #routers: RouterEntry[] = [];
  readonly #peers = new Map<string, Peer>();
  readonly #producers = new Map<string, ProducerEntry>();
  /** Producers piped into each router, keyed by producer id. */
  readonly #pipes = new Map<ms.Router, Map<string, Promise<void>>>();
  #adding: Promise<RouterEntry> | null = null;
  #audioLevel: ms.AudioLevelObserver | null = null;
  #closed = false;

  private constructor(opts: RoomOptions) {
    super();
    this.meetingId = opts.meetingId;
    this.#pool = opts.pool;
    this.#opts = opts;
    this.#log = opts.logger ?? noopLogger;
  }

  /** Creates the room with one router on the least-loaded worker and an active-speaker observer. */
  static async create(opts: RoomOptions): Promise<Room> {
    const room = new Room(opts);
    const entry = await room.#addRouter();
    const observer = await entry.router.createAudioLevelObserver({ maxEntries: 1, threshold: -70, interval: 800 });
    observer.on('volumes', (volumes: ms.AudioLevelObserverVolume[]) => {
      const top = volumes[0];
      if (!top) return;
      const p = room.#producers.get(top.producer.id);
      room.emit('activespeaker', { peer: p?.peer ?? null, producerId: top.producer.id, volume: top.volume });
    });
    observer.on('silence', () => room.emit('activespeaker', { peer: null, producerId: null, volume: null }));
    room.#audioLevel = observer;
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#primary().router.rtpCapabilities;
  }

  routerLoads(): RouterLoad[] {
    return this.#routers.map((e) => ({
      routerId: e.router.id,
      workerPid: this.#pool.workerOf(e.router)?.pid ?? null,
      consumers: e.consumers,
      transports: e.transports,
    }));
  }

  /** Whether any of this room's routers runs on `worker`. */
  usesWorker(worker: ms.Worker): boolean {
    return this.#routers.some((e) => this.#pool.workerOf(e.router) === worker);
  }

  /** Adds a peer, or returns the existing one with that id. */
  addPeer(id: string, info: PeerInfo): Peer {
    this.#assertOpen();
    const existing = this.#peers.get(id);
    if (existing) return existing;
    const peer = Peer.create({ id, info });
    this.#peers.set(id, peer);
    peer.once('close', () => {
      this.#peers.delete(id);
      if (this.#peers.size === 0) this.close('empty');
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
  producerEntry(producerId: string): { producer: ms.Producer; peer: Peer } {
    const p = this.#producers.get(producerId);
    if (!p) throw notFound('Producer');
    return p;
  }

  producerEntries(): { producer: ms.Producer; peer: Peer }[] {
    return [...this.#producers.values()];
  }

  async createWebRtcTransport(peer: Peer, direction: Direction): Promise<ms.WebRtcTransport> {
    return this.#createTransport(peer, direction, (router) =>
      router.createWebRtcTransport({
        listenIps: [{ ip: this.#opts.listenIp, ...(this.#opts.announcedIp ? { announcedIp: this.#opts.announcedIp } : {}) }],
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData: { peerId: peer.id, direction },
      }),
    );
  }

  /** Plain RTP transport, used by tests and the benchmark to inject and capture RTP. */
  async createPlainTransport(peer: Peer, direction: Direction, opts: { comedia?: boolean } = {}): Promise<ms.PlainTransport> {
    return this.#createTransport(peer, direction, (router) =>
      router.createPlainTransport({
        listenIp: { ip: this.#opts.listenIp, ...(this.#opts.announcedIp ? { announcedIp: this.#opts.announcedIp } : {}) },
        rtcpMux: true,
        comedia: opts.comedia ?? direction === 'send',
        appData: { peerId: peer.id, direction },
      }),
    );
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
    // mediasoup 3.8 does not check that the codecs match the declared kind.
    if (!req.rtpParameters.codecs.every((c) => c.mimeType.toLowerCase().startsWith(`${req.kind}/`))) {
      throw new AppError('VALIDATION_FAILED', 400, `media:produce: codecs do not match kind ${req.kind}`);
    }
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
    peer.addProducer(producer);
    this.#producers.set(producer.id, { producer, peer, router });
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      if (!this.#closed) this.emit('producerclosed', { peer, producerId: producer.id, kind: producer.kind });
    });
    if (producer.kind === 'audio') {
      // The observer lives on the first router; audio produced elsewhere is piped to it.
      this.#ensureOn(producer.id, this.#primary())
        .then(() => this.#audioLevel?.addProducer({ producerId: producer.id }))
        .catch((err: unknown) => this.#log.warn({ err, producerId: producer.id }, 'audio level observer could not add producer'));
    }
    this.emit('newproducer', { peer, producer });
    return producer;
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
    const entry = this.#entryOf(router);
    await mediaCall('media:consume', () => this.#ensureOn(src.producer.id, entry));
    const wantedSpatialLayer = Math.min(req.spatialLayer ?? MAX_SPATIAL_LAYER, MAX_SPATIAL_LAYER);
    const consumer = await mediaCall('media:consume', () =>
      transport.consume({
        producerId: src.producer.id,
        rtpCapabilities,
        paused: req.paused ?? true,
        ...(src.producer.type === 'simulcast' ? { preferredLayers: { spatialLayer: wantedSpatialLayer } } : {}),
        appData: { peerId: peer.id },
      }),
    );
    entry.consumers++;
    this.#pool.trackConsumer(router, consumer);
    consumer.observer.once('close', () => {
      entry.consumers--;
    });
    const ce: ConsumerEntry = {
      consumer,
      router,
      wantedSpatialLayer,
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
    for (const e of this.#routers) e.router.close();
    this.#routers.length = 0;
    this.#producers.clear();
    this.#pipes.clear();
    this.#log.info({ meetingId: this.meetingId, reason }, 'media room closed');
    this.emit('close', reason);
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');
  }

  #primary(): RouterEntry {
    const e = this.#routers[0];
    if (!e) throw new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');
    return e;
  }

  #entryOf(router: ms.Router): RouterEntry {
    const e = this.#routers.find((r) => r.router === router);
    if (!e) throw new AppError('MEDIA_ERROR', 409, 'Router gone; join again');
    return e;
  }

  async #createTransport<T extends ms.WebRtcTransport | ms.PlainTransport>(
    peer: Peer,
    direction: Direction,
    create: (router: ms.Router) => Promise<T>,
  ): Promise<T> {
    this.#assertOpen();
    const entry = await this.#routerForNewTransport();
    const transport = await mediaCall('transport:create', () => create(entry.router));
    if (peer.closed || this.#closed) {
      transport.close();
      throw new AppError('MEDIA_ERROR', 409, 'Left the media room');
    }
    entry.transports++;
    transport.observer.once('close', () => {
      entry.transports--;
      this.#maybeDropRouter(entry);
    });
    const te: TransportEntry = { transport, router: entry.router, direction };
    peer.addTransport(te);
    return transport;
  }

  /** The room router with the fewest consumers under budget, adding one on another worker when all are full. */
  async #routerForNewTransport(): Promise<RouterEntry> {
    const open = this.#routers.filter((e) => e.consumers < this.#opts.consumerBudget);
    if (open.length) return open.reduce((a, b) => (b.consumers < a.consumers ? b : a));
    // Concurrent callers share the one router being added.
    this.#adding ??= this.#addRouter().finally(() => (this.#adding = null));
    return this.#adding;
  }

  async #addRouter(): Promise<RouterEntry> {
    const used = this.#routers.map((e) => this.#pool.workerOf(e.router)).filter((w): w is ms.Worker => w !== null);
    const router = await this.#pool.createRouter(used);
    if (this.#closed) {
      router.close();
      throw new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');
    }
    const entry: RouterEntry = { router, consumers: 0, transports: 0 };
    this.#routers.push(entry);
    router.once('workerclose', () => {
      this.#log.error({ meetingId: this.meetingId, routerId: router.id }, 'worker under media room died');
      this.close('worker-died');
    });
    router.observer.once('close', () => this.#pipes.delete(router));
    const workerPid = this.#pool.workerOf(router)?.pid ?? null;
    if (this.#routers.length > 1) this.#log.info({ meetingId: this.meetingId, routerId: router.id, workerPid }, 'media room spread to another router');
    this.emit('routeradded', { routerId: router.id, workerPid });
    return entry;
  }

  /** Closes an extra router once nothing uses it, so a shrinking meeting gives the worker back. */
  #maybeDropRouter(entry: RouterEntry): void {
    if (this.#closed || entry === this.#routers[0] || entry.transports > 0 || entry.consumers > 0) return;
    const i = this.#routers.indexOf(entry);
    if (i < 0) return;
    this.#routers.splice(i, 1);
    entry.router.close();
  }

  /** Makes `producerId` available on `target`, piping it once per router. */
  async #ensureOn(producerId: string, target: RouterEntry): Promise<void> {
    const src = this.#producers.get(producerId);
    if (!src) throw notFound('Producer');
    if (src.router === target.router) return;
    let piped = this.#pipes.get(target.router);
    if (!piped) {
      piped = new Map();
      this.#pipes.set(target.router, piped);
    }
    let p = piped.get(producerId);
    if (!p) {
      const map = piped;
      p = src.router.pipeToRouter({ producerId, router: target.router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => map.delete(producerId));
      });
      p.catch(() => map.delete(producerId));
      map.set(producerId, p);
    }
    await p;
  }
}
