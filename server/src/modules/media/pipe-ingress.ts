/**
 * Target side of piping media from another node (node-pipe.ts is the origin).
 * Each link is one PipeTransport on the meeting's room here, connected to the
 * origin's; each producer piped over it is produced here under the origin's
 * id and adopted by the room as the producer of a "remote peer" that stands
 * for the origin's peer (same source, so the stage and the speaker follow it),
 * and this node's bridges consume it through the ordinary consume path.
 *
 * A link closes when the origin says so, when the room here closes (the
 * origin is told), or when the heartbeat finds the origin gone.
 */
import { AppError, notFound } from '../../lib/app-error.ts';
import type { MediaLogger } from './logger.ts';
import { mediaCall } from './media-errors.ts';
import type { ms } from './mediasoup.ts';
import { NodeWatch, type NodeClient, type NodeRef } from './node-client.ts';
import { pipeTransportOptions, type PipeEnd, type PipeOwner } from './node-pipe.ts';
import type { Peer } from './peer.ts';
import type { Room } from './room.ts';

export interface LinkRequest extends PipeEnd {
  linkId: string;
  meetingId: number;
  from: NodeRef;
}

export interface PipedProduceRequest {
  producerId: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  paused: boolean;
  owner: PipeOwner;
}

export interface PipeIngressOptions {
  client: NodeClient;
  /** The meeting's live room, created if needed. */
  room: (meetingId: number) => Promise<Room>;
  listenIp: string;
  announcedIp: string | null;
  heartbeatMs: number;
  log: MediaLogger;
}

interface InLink {
  id: string;
  from: NodeRef;
  room: Room;
  router: ms.Router;
  transport: ms.PipeTransport;
  producers: Map<string, ms.Producer>;
}

export class PipeIngress {
  readonly #o: PipeIngressOptions;
  readonly #links = new Map<string, InLink>();
  /** Origins we hold links from, watched while we do. */
  readonly #watches = new Map<string, NodeWatch>();
  /** Peers standing for another node's peers: never piped onward (that would loop between nodes). */
  readonly #remotePeers = new WeakSet<Peer>();
  #closed = false;

  constructor(opts: PipeIngressOptions) {
    this.#o = opts;
  }

  isRemotePeer(peer: Peer): boolean {
    return this.#remotePeers.has(peer);
  }

  /** Link ids open here (tests check that none leak). */
  linkIds(): string[] {
    return [...this.#links.keys()];
  }

  /** Creates this end of a link in the meeting's room, connects it to the origin's end and answers ours. */
  async open(req: LinkRequest): Promise<PipeEnd> {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 503, 'Media service stopped');
    if (this.#links.has(req.linkId)) throw new AppError('CONFLICT', 409, `Link ${req.linkId} is already open`);
    const room = await this.#o.room(req.meetingId);
    const { transport, router } = await room.createPipeTransport({
      ...pipeTransportOptions(this.#o.listenIp, this.#o.announcedIp),
      appData: { node: req.from.nodeId, linkId: req.linkId },
    });
    const srtpParameters = transport.srtpParameters;
    try {
      if (!srtpParameters) throw new AppError('MEDIA_ERROR', 500, 'Pipe transport without SRTP parameters');
      await mediaCall('pipe:connect', () => transport.connect({ ip: req.ip, port: req.port, srtpParameters: req.srtpParameters }));
    } catch (err) {
      transport.close();
      throw err;
    }
    if (this.#closed || this.#links.has(req.linkId)) {
      transport.close();
      throw new AppError('CONFLICT', 409, `Link ${req.linkId} is already open`);
    }
    const link: InLink = { id: req.linkId, from: req.from, room, router, transport, producers: new Map() };
    this.#links.set(link.id, link);
    this.#watch(req.from);
    // Closed here (the room closed, or the service stops): the origin stops sending when told.
    transport.observer.once('close', () => {
      if (this.#links.get(link.id) !== link) return;
      this.#drop(link);
      if (!this.#closed) {
        this.#o.client.call(link.from.url, 'DELETE', `/links/${link.id}`).catch((err: unknown) => {
          this.#o.log.warn({ err, node: link.from.url, linkId: link.id }, 'could not tell the origin node its link closed');
        });
      }
    });
    const { localIp: ip, localPort: port } = transport.tuple;
    return { ip, port, srtpParameters };
  }

  /** Produces a piped producer here and adds it to the room as its owner's (a remote peer). */
  async produce(linkId: string, req: PipedProduceRequest): Promise<{ producerId: string }> {
    const link = this.#link(linkId);
    const { room } = link;
    if (room.closed) throw notFound('Link');
    // An origin retrying after a timeout finds the producer its first request made.
    if (link.producers.has(req.producerId)) return { producerId: req.producerId };
    const peerId = `${link.from.nodeId}/${req.owner.peerId}`;
    const peer = room.addPeer(peerId, req.owner.info, true);
    this.#remotePeers.add(peer);
    let producer: ms.Producer;
    try {
      producer = await mediaCall('pipe:produce', () =>
        link.transport.produce({
          id: req.producerId,
          kind: req.kind,
          rtpParameters: req.rtpParameters,
          paused: req.paused,
          appData: { peerId, node: link.from.nodeId },
        }),
      );
      room.adoptProducer(peer, producer, link.router);
    } catch (err) {
      this.#leaveIfIdle(room, peer);
      throw err;
    }
    link.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      link.producers.delete(producer.id);
      this.#leaveIfIdle(room, peer);
    });
    return { producerId: producer.id };
  }

  /** Mirrors a pause or resume of the origin's producer. */
  async setPaused(linkId: string, producerId: string, paused: boolean): Promise<void> {
    const producer = this.#producer(linkId, producerId);
    await mediaCall('pipe:pause', () => (paused ? producer.pause() : producer.resume()));
  }

  /** The origin's producer closed. */
  closeProducer(linkId: string, producerId: string): void {
    this.#producer(linkId, producerId).close();
  }

  /** The origin closed its end: close ours without telling it back. False when the link is unknown. */
  closeLink(linkId: string): boolean {
    const link = this.#links.get(linkId);
    if (!link) return false;
    this.#drop(link);
    return true;
  }

  /** Closes every link and watch; `farewell` tells their origins (this node is stopping). Idempotent. */
  close(farewell = false): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const link of [...this.#links.values()]) {
      this.#drop(link);
      // Best effort: an origin that does not hear it finds out by its heartbeat.
      if (farewell) this.#o.client.call(link.from.url, 'DELETE', `/links/${link.id}`).catch(() => {});
    }
    for (const w of this.#watches.values()) w.close();
    this.#watches.clear();
  }

  #link(linkId: string): InLink {
    const link = this.#links.get(linkId);
    if (!link) throw notFound('Link');
    return link;
  }

  #producer(linkId: string, producerId: string): ms.Producer {
    const p = this.#link(linkId).producers.get(producerId);
    if (!p) throw notFound('Producer');
    return p;
  }

  #drop(link: InLink): void {
    this.#links.delete(link.id);
    // The transport closing closes the producers on it, and their remote peers leave.
    link.transport.close();
    if (![...this.#links.values()].some((l) => l.from.url === link.from.url)) {
      this.#watches.get(link.from.url)?.close();
      this.#watches.delete(link.from.url);
    }
  }

  /** A remote peer stays only while it has a piped producer: the room must be free to close when its own peers leave. */
  #leaveIfIdle(room: Room, peer: Peer): void {
    if (peer.producers().length === 0 && !room.closed) room.removePeer(peer.id);
  }

  #watch(from: NodeRef): void {
    if (this.#watches.has(from.url)) return;
    const watch = NodeWatch.create({
      url: from.url,
      client: this.#o.client,
      intervalMs: this.#o.heartbeatMs,
      log: this.#o.log,
      onDown: () => {
        this.#watches.delete(from.url);
        for (const link of [...this.#links.values()]) if (link.from.url === from.url) this.#drop(link);
      },
    });
    this.#watches.set(from.url, watch);
  }
}
