/**
 * The video conference: one media Room per live meeting plus the meeting's
 * media policy (main stage, who may be heard, link quality). Transport- and
 * socket-agnostic: commands take a peer id (the socket id) and results are
 * plain data; broadcasts go out through a MediaNotifier.
 *
 * This class keeps the meetings and their rooms' lifecycle (made and opened
 * by media.meetings.ts); the commands live by concern in media.signalling.ts
 * (transports, produce, consume), media.stage.ts (main stage, active
 * speaker), media.floor.ts (mic gating) and media.pipes.ts (piping to other
 * nodes by hand), with link quality sampled by link-monitor.ts.
 */
import type { ConsumerOptions, MediaSnapshot, MediaWorkerLoad, MicInfo, SourceRef, StageInfo, TransportOptions } from '@diemcau/shared';
import { AppError } from '../../lib/app-error.ts';
import type { LinkMonitor } from './link-monitor.ts';
import { noopLogger, type MediaLogger } from './logger.ts';
import { emptyMediaSnapshot } from './media.views.ts';
import { MeetingMedia, type PeerContext } from './meeting-media.ts';
import { WorkerPool } from './worker-pool.ts';
import type { Room } from './room.ts';
import type { ms } from './mediasoup.ts';
import type { PeerInfo } from './peer.ts';
import * as floor from './media.floor.ts';
import type { MediaServiceOptions } from './media.options.ts';
import * as pipes from './media.pipes.ts';
import { linkMonitor, onePromise, openRoom, workerLoads } from './media.meetings.ts';
import * as signalling from './media.signalling.ts';
import * as stage from './media.stage.ts';
import { MediaCluster } from './media.cluster.ts';
import type { DirectoryMessage, MediaDirectory } from './media.directory.ts';
import { clusterFanout, type MediaFanout } from './media.fanout.ts';

export type { MediaBroadcast, MediaNotifier, MediaPayload } from './media.notifier.ts';
export type { MediaServiceOptions };

export class MediaService {
  readonly pool: WorkerPool;
  /** This node's pipes to other nodes and links from them; null on a single node. */
  readonly cluster: MediaCluster | null;
  /** Sends stage and speakers to the other nodes on its own; null without the shared Redis. */
  readonly fanout: MediaFanout | null;
  readonly #directory: MediaDirectory | null;
  #stopped: Promise<void> = Promise.resolve();
  readonly #opts: MediaServiceOptions;
  readonly #log: MediaLogger;
  readonly #meetings = new Map<number, MeetingMedia>();
  /** What #state() hands out for each meeting: its state while the chair's hall is read, and after. */
  readonly #states = new Map<number, Promise<MeetingMedia>>();
  readonly #links: LinkMonitor;
  /** getCapabilities calls waiting for their room, by `meetingId:peerId`; leave() marks them. */
  readonly #joining = new Map<string, { left: boolean }>();
  #closed = false;

  private constructor(pool: WorkerPool, opts: MediaServiceOptions) {
    this.pool = pool;
    this.#opts = opts;
    this.#log = opts.logger ?? noopLogger;
    this.cluster = opts.cluster ? new MediaCluster(opts.cluster, async (meetingId) => this.#ensureRoom(await this.#state(meetingId)), this.#log) : null;
    const c = this.cluster ? clusterFanout(this.cluster, this.#meetings, this.#log) : null;
    this.fanout = c?.fanout ?? null;
    this.#directory = c?.directory ?? null;
    this.#links = linkMonitor(opts, this.#log, this.#meetings);
  }

  /** Starts the worker pool; rooms are created as meetings join. */
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
    // A peer that leaves while the room is being created must not be added after it has gone.
    const key = `${meetingId}:${peerId}`;
    const join = { left: false };
    this.#joining.set(key, join);
    let mm: MeetingMedia;
    let room: Room;
    try {
      mm = await this.#state(meetingId);
      room = await this.#ensureRoom(mm);
    } finally {
      if (this.#joining.get(key) === join) this.#joining.delete(key);
    }
    if (join.left) {
      // The room may have been created for this peer alone: give its router (and observer) back.
      if (room.peers().length === 0) room.close('empty');
      throw new AppError('MEDIA_ERROR', 409, 'Left the media room while joining');
    }
    const peer = room.addPeer(peerId, info);
    // Other nodes send this meeting's stage and speakers here from now on.
    this.fanout?.joined(meetingId);
    // Link-state rows belong to the peer; the chair's table must not keep the departed.
    peer.once('close', () => mm.links.delete(peerId));
    return { routerRtpCapabilities: room.rtpCapabilities };
  }

  /** Creates a send or receive WebRTC transport for the peer. */
  async createTransport(meetingId: number, peerId: string, req: signalling.TransportRequest): Promise<TransportOptions> {
    return signalling.createTransport(this.#peer(meetingId, peerId), req);
  }

  /** Connects one of the peer's transports (DTLS parameters). */
  async connectTransport(meetingId: number, peerId: string, req: { transportId: string; dtlsParameters: ms.DtlsParameters }): Promise<void> {
    return signalling.connectTransport(this.#peer(meetingId, peerId), req);
  }

  /** New ICE credentials for one of the peer's transports. */
  async restartIce(meetingId: number, peerId: string, transportId: string): Promise<{ iceParameters: ms.IceParameters }> {
    return signalling.restartIce(this.#peer(meetingId, peerId), transportId);
  }

  /**
   * Produces camera or mic media after the role checks. A gated mic starts
   * paused unless the floor or the chair has opened it.
   */
  async produce(meetingId: number, peerId: string, req: signalling.ProduceRequest): Promise<{ producerId: string; paused: boolean }> {
    return signalling.produce(this.#peer(meetingId, peerId), req);
  }

  /** Consumes a producer, created paused with its layers fitted to the peer's link. */
  async consume(meetingId: number, peerId: string, req: signalling.ConsumeRequest): Promise<ConsumerOptions> {
    return signalling.consume(this.#peer(meetingId, peerId), req, this.#log);
  }

  /** The client pauses or resumes one of its consumers. */
  async setConsumerPaused(meetingId: number, peerId: string, consumerId: string, paused: boolean): Promise<void> {
    return signalling.setConsumerPaused(this.#peer(meetingId, peerId), consumerId, paused, this.#log);
  }

  /** The client picks a simulcast layer; returns the spatial layer the link allows. */
  async setConsumerLayers(meetingId: number, peerId: string, req: signalling.LayersRequest): Promise<{ spatialLayer: number }> {
    return signalling.setConsumerLayers(this.#peer(meetingId, peerId), req, this.#log);
  }

  /** Pauses/resumes one's own producer; a gated mic cannot be resumed against the chair or without the floor. */
  async setProducerPaused(meetingId: number, peerId: string, producerId: string, paused: boolean): Promise<{ paused: boolean }> {
    return signalling.setProducerPaused(this.#peer(meetingId, peerId), producerId, paused);
  }

  /** Closes one of the peer's own producers. */
  closeProducer(meetingId: number, peerId: string, producerId: string): void {
    signalling.closeProducer(this.#peer(meetingId, peerId), producerId);
  }

  /** Chair: puts a source on the main stage (null clears it). */
  setStage(meetingId: number, peerId: string, source: SourceRef | null): StageInfo {
    return stage.setStage(this.#peer(meetingId, peerId), source);
  }

  /** Chair: pins the stage (the floor stops moving it) or unpins it. */
  pinStage(meetingId: number, peerId: string, pinned: boolean): StageInfo {
    return stage.pinStage(this.#peer(meetingId, peerId), pinned);
  }

  /** Chair: mutes or opens one source's mic. */
  async mute(meetingId: number, peerId: string, source: SourceRef, muted: boolean): Promise<MicInfo> {
    return floor.mute(this.#peer(meetingId, peerId), source, muted);
  }

  /** Chair: mutes every gated source in the meeting. */
  async muteAll(meetingId: number, peerId: string): Promise<{ muted: number }> {
    return floor.muteAll(this.#peer(meetingId, peerId));
  }

  /**
   * The conference floor changed: granting opens the speaker's mic (the bridge
   * mic when they sit at a bridge point, else their phone), revoking closes it.
   */
  async onFloorChanged(meetingId: number, target: floor.FloorHolder, granted: boolean): Promise<void> {
    return floor.onFloorChanged(await this.#state(meetingId), target, granted);
  }

  /**
   * Aligns the mic gates with the conference's current speaker (or none), e.g.
   * when media starts after the floor was granted. Only sources whose floor
   * flag differs are touched, so a chair's mute is not undone by a re-sync.
   */
  async syncFloor(meetingId: number, holder: floor.FloorHolder | null): Promise<void> {
    return floor.syncFloor(await this.#state(meetingId), holder);
  }

  /**
   * Pipes this node's main-stage and active-speaker producers of the meeting
   * to the node at `nodeUrl`, where its room adopts them and its bridges
   * consume them like local ones. Idempotent: what is already piped there is
   * reused. With the shared Redis the fanout (media.fanout.ts) does this on its
   * own; this, behind POST /internal/media/meetings/:id/pipe, is the manual way.
   */
  async pipeStageTo(meetingId: number, nodeUrl: string): Promise<{ producerIds: string[] }> {
    return pipes.pipeStageTo(this.cluster, this.#meetings.get(meetingId), nodeUrl);
  }

  /** Pipes one producer of the meeting to the node at `nodeUrl`; resolves with its id there (the same id). */
  async pipeProducerTo(meetingId: number, producerId: string, nodeUrl: string): Promise<string> {
    return pipes.pipeProducerTo(this.cluster, this.#meetings.get(meetingId), producerId, nodeUrl);
  }

  /** The meeting ended: close its room and forget its media state. */
  endMeeting(meetingId: number): void {
    const mm = this.#meetings.get(meetingId);
    this.#states.delete(meetingId);
    if (!mm) return;
    this.#meetings.delete(meetingId);
    mm.room?.close();
  }

  /** The socket left the meeting or disconnected. */
  leave(meetingId: number, peerId: string): void {
    const join = this.#joining.get(`${meetingId}:${peerId}`);
    if (join) join.left = true;
    this.#meetings.get(meetingId)?.room?.removePeer(peerId);
  }

  /** Each worker's load and the meetings whose routers run on it (the admin page). */
  workerLoads(): MediaWorkerLoad[] {
    return workerLoads(this.pool, this.#meetings);
  }

  /** The `media` snapshot part; link states only for the chair. */
  snapshot(meetingId: number, forChair: boolean): MediaSnapshot {
    return this.#meetings.get(meetingId)?.snapshot(forChair) ?? emptyMediaSnapshot();
  }

  /** A hint from another node (through the realtime adapter). */
  onClusterMessage(msg: DirectoryMessage): void {
    this.fanout?.onMessage(msg);
  }

  /** Settles once close() has also taken this node out of the shared directory. */
  whenStopped(): Promise<void> {
    return this.#stopped;
  }

  /** Closes every room and worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#links.close();
    this.fanout?.close();
    if (this.#directory) this.#stopped = this.#directory.close();
    // Before the rooms, so the other nodes hear this node is stopping (not one link at a time as its rooms close).
    this.cluster?.close();
    for (const mm of this.#meetings.values()) mm.room?.close();
    this.#meetings.clear();
    this.#states.clear();
    this.pool.close();
  }

  // ---- internals -------------------------------------------------------------

  /**
   * The meeting's media state, created on first use. Every caller gets the one promise, so callers
   * waiting for the chair's hall to be read go on in the order they came (two floor changes in a
   * row are applied in that order), and later ones read no database.
   */
  #state(meetingId: number): Promise<MeetingMedia> {
    return onePromise(this.#states, meetingId, () => this.#createState(meetingId));
  }

  async #createState(meetingId: number): Promise<MeetingMedia> {
    const hall = (await this.#opts.chairHall?.(meetingId)) ?? null;
    // The meeting may have ended during the read and a later caller created its state again.
    const known = this.#meetings.get(meetingId);
    if (known) return known;
    const fanout = this.fanout;
    const mm = new MeetingMedia(meetingId, this.#opts.notifier, hall === null ? null : { type: 'bridge', bridgePointId: hall }, fanout ? (m) => fanout.stageMoved(m) : undefined);
    this.#meetings.set(meetingId, mm);
    return mm;
  }

  async #ensureRoom(mm: MeetingMedia): Promise<Room> {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 503, 'Media service stopped');
    if (mm.room && !mm.room.closed) return mm.room;
    mm.creating ??= openRoom(mm, { pool: this.pool, opts: this.#opts, log: this.#log, fanout: this.fanout, stopping: () => this.#closed })
      .finally(() => (mm.creating = null));
    return mm.creating;
  }

  #peer(meetingId: number, peerId: string): PeerContext {
    const mm = this.#meetings.get(meetingId);
    const room = mm?.room;
    const peer = room?.peer(peerId);
    if (!mm || !room || !peer) throw new AppError('MEDIA_ERROR', 409, 'Not in the media room; call media:get-capabilities first');
    return { mm, room, peer };
  }
}
