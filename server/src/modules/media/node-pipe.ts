/**
 * Origin side of piping media to another node (issue 12: a commune on node B
 * sees and hears the speaker on node A). The cross-host pattern of mediasoup's
 * docs: for each of this node's routers that has something to send there, one
 * PipeTransport pair (SRTP, RTX) is set up with the other node through its
 * internal API; each producer sent across is consumed here on that transport
 * and produced there under the same id, so the id names the stream on both
 * nodes. Keyframe requests and NACKs cross back over RTCP by themselves; pause,
 * resume and close do not, so this forwards them.
 *
 * One NodePipe per remote node. Its links die with their router (room closed
 * here), when the other node says it closed its end, or when the heartbeat
 * finds the node gone; the consumers on them close with them.
 */
import { AppError } from '../../lib/app-error.ts';
import type { MediaLogger } from './logger.ts';
import { mediaCall } from './media-errors.ts';
import type { ms } from './mediasoup.ts';
import { NodeWatch, type NodeClient, type NodeRef } from './node-client.ts';
import type { PeerInfo } from './peer.ts';

/** Who a piped producer belongs to, so the other node's room can show and route it as that source's. */
export interface PipeOwner {
  peerId: string;
  info: PeerInfo;
}

/** The end of a link a node answers with: where to send, and its SRTP key. */
export interface PipeEnd {
  ip: string;
  port: number;
  srtpParameters: ms.SrtpParameters;
}

export interface NodePipeOptions {
  url: string;
  client: NodeClient;
  /** This node as the other one should call it back. */
  self: () => NodeRef;
  listenIp: string;
  announcedIp: string | null;
  heartbeatMs: number;
  log: MediaLogger;
  /** The pipe closed (remote gone or this node stopping); the owner forgets it. */
  onClose: () => void;
}

interface Link {
  id: string;
  meetingId: number;
  router: ms.Router;
  transport: ms.PipeTransport;
}

/** Options both ends of a link are created with; they must agree. */
export const pipeTransportOptions = (listenIp: string, announcedIp: string | null): ms.PipeTransportOptions => ({
  listenIp: { ip: listenIp, ...(announcedIp ? { announcedIp } : {}) },
  // Across hosts the network may lose packets (in-process pipes never do): retransmit, and encrypt.
  enableRtx: true,
  enableSrtp: true,
});

export class NodePipe {
  readonly url: string;
  readonly #o: NodePipeOptions;
  readonly #watch: NodeWatch;
  /** The link of each local router, keyed by router (a room may span several). */
  readonly #links = new Map<ms.Router, Promise<Link>>();
  readonly #linkIds = new Map<string, Link>();
  /** Producers sent across, by id: the one promise every caller for that producer shares. */
  readonly #piped = new Map<string, Promise<string>>();
  /** Producers piped across, by id: the consumer carrying each and its path on the other node. */
  readonly #out = new Map<string, { consumer: ms.Consumer; at: string }>();
  /** Notifications in order: a resume overtaking its pause would leave the far side paused. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(opts: NodePipeOptions) {
    this.url = opts.url;
    this.#o = opts;
    this.#watch = NodeWatch.create({ url: opts.url, client: opts.client, intervalMs: opts.heartbeatMs, log: opts.log, onDown: () => this.close() });
  }

  static create(opts: NodePipeOptions): NodePipe {
    return new NodePipe(opts);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Local pipe transports to this node (tests check that none leak). */
  transportIds(): string[] {
    return [...this.#linkIds.keys()];
  }

  /** Producer ids being piped to this node. */
  pipedProducerIds(): string[] {
    return [...this.#piped.keys()];
  }

  /**
   * Sends `producer` (living on `router`, in meeting `meetingId`'s room) to
   * this node and resolves with its id there, which is the same id. A second
   * call for the same producer shares the first; closing the producer closes
   * it there.
   */
  pipeProducer(meetingId: number, router: ms.Router, producer: ms.Producer, owner: PipeOwner): Promise<string> {
    if (this.#closed) return Promise.reject(new AppError('NODE_UNREACHABLE', 502, `Node ${this.url} is gone`));
    const known = this.#piped.get(producer.id);
    if (known) return known;
    const p = this.#pipe(meetingId, router, producer, owner);
    this.#piped.set(producer.id, p);
    p.catch(() => this.#forget(producer.id, p));
    return p;
  }

  /**
   * Stops sending one producer there (it left the stage, or its mic closed)
   * while it lives on here: the other node closes its copy. No-op when it is not piped.
   */
  unpipeProducer(producerId: string): void {
    const out = this.#out.get(producerId);
    if (!out) return;
    this.#out.delete(producerId);
    this.#piped.delete(producerId);
    out.consumer.close();
    this.#notify('DELETE', out.at);
  }

  /** The other node closed its end of a link (its room closed): close ours, without telling it back. */
  closeLink(linkId: string): boolean {
    const link = this.#linkIds.get(linkId);
    if (!link) return false;
    this.#linkIds.delete(linkId);
    link.transport.close();
    return true;
  }

  /**
   * Closes every link to the node (their consumers close with them).
   * `farewell`: this node is stopping and the other one is alive, so tell it
   * now rather than let its heartbeat find out. Idempotent.
   */
  close(farewell = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.close();
    // Forgotten first, so their close handlers do not tell a node that is gone, one notification at a time.
    const links = [...this.#linkIds.values()];
    this.#linkIds.clear();
    for (const l of links) {
      l.transport.close();
      if (farewell) this.#o.client.call(this.url, 'DELETE', `/links/${l.id}`).catch(() => {});
    }
    this.#links.clear();
    this.#piped.clear();
    this.#out.clear();
    this.#o.onClose();
  }

  #forget(producerId: string, p: Promise<string>): void {
    if (this.#piped.get(producerId) === p) this.#piped.delete(producerId);
  }

  async #pipe(meetingId: number, router: ms.Router, producer: ms.Producer, owner: PipeOwner): Promise<string> {
    const link = await this.#link(meetingId, router);
    const consumer = await mediaCall('pipe:consume', () => link.transport.consume({ producerId: producer.id }));
    const mine = this.#piped.get(producer.id);
    consumer.observer.once('close', () => {
      if (mine) this.#forget(producer.id, mine);
      if (this.#out.get(producer.id)?.consumer === consumer) this.#out.delete(producer.id);
    });
    const path = `/links/${link.id}/producers`;
    try {
      await this.#o.client.call(this.url, 'POST', path, {
        producerId: producer.id,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
        owner,
      });
    } catch (err) {
      consumer.close();
      // The other node no longer knows the link (its room closed, or it restarted): drop ours, so a retry opens a new one.
      if (err instanceof AppError && err.status === 404) this.#dropLink(link, false);
      throw err;
    }
    const at = `${path}/${producer.id}`;
    if (consumer.closed) {
      // It closed here while the other node was producing it: close it there too.
      this.#notify('DELETE', at);
      throw new AppError('MEDIA_ERROR', 409, 'The producer closed while it was being piped');
    }
    this.#out.set(producer.id, { consumer, at });
    consumer.on('producerpause', () => this.#notify('POST', `${at}/pause`, { paused: true }));
    consumer.on('producerresume', () => this.#notify('POST', `${at}/pause`, { paused: false }));
    // The producer here closed (the consumer closes with it): close it there.
    consumer.on('producerclose', () => this.#notify('DELETE', at));
    // The other side may have missed a pause made while the request was in flight.
    if (consumer.producerPaused !== producer.paused) this.#notify('POST', `${at}/pause`, { paused: producer.paused });
    return producer.id;
  }

  /** The router's link, opening it on first use; a link closed meanwhile is replaced. */
  async #link(meetingId: number, router: ms.Router): Promise<Link> {
    for (;;) {
      let p = this.#links.get(router);
      if (!p) {
        const created = this.#openLink(meetingId, router);
        this.#links.set(router, created);
        created.catch(() => {
          if (this.#links.get(router) === created) this.#links.delete(router);
        });
        p = created;
      }
      const l = await p;
      if (this.#linkIds.get(l.id) === l) return l;
      if (this.#closed) throw new AppError('NODE_UNREACHABLE', 502, `Node ${this.url} is gone`);
      if (this.#links.get(router) === p) this.#links.delete(router);
    }
  }

  async #openLink(meetingId: number, router: ms.Router): Promise<Link> {
    const transport = await mediaCall('pipe:create', () =>
      router.createPipeTransport({ ...pipeTransportOptions(this.#o.listenIp, this.#o.announcedIp), appData: { node: this.url, meetingId } }),
    );
    const link: Link = { id: transport.id, meetingId, router, transport };
    try {
      const far = await this.#o.client.call<PipeEnd>(this.url, 'POST', '/links', {
        linkId: link.id,
        meetingId,
        from: this.#o.self(),
        ip: transport.tuple.localIp,
        port: transport.tuple.localPort,
        srtpParameters: transport.srtpParameters,
      });
      await mediaCall('pipe:connect', () => transport.connect(far));
    } catch (err) {
      transport.close();
      throw err;
    }
    if (this.#closed) {
      transport.close();
      throw new AppError('NODE_UNREACHABLE', 502, `Node ${this.url} is gone`);
    }
    this.#linkIds.set(link.id, link);
    // Closed here (router gone with its room, or dropped): tell the other node, unless it closed it or is gone.
    transport.observer.once('close', () => this.#dropLink(link, true));
    return link;
  }

  #dropLink(link: Link, tell: boolean): void {
    const known = this.#linkIds.get(link.id) === link;
    this.#linkIds.delete(link.id);
    const p = this.#links.get(link.router);
    void p?.then(
      (l) => {
        if (l === link && this.#links.get(link.router) === p) this.#links.delete(link.router);
      },
      () => {},
    );
    if (!link.transport.closed) link.transport.close();
    if (tell && known && !this.#closed) this.#notify('DELETE', `/links/${link.id}`);
  }

  #notify(method: 'POST' | 'DELETE', path: string, body?: unknown): void {
    if (this.#closed) return;
    this.#queue = this.#queue.then(async () => {
      try {
        await this.#o.client.call(this.url, method, path, body);
      } catch (err) {
        // A missed notification is repaired by the link closing (heartbeat) or the next pipe; the stream here is unaffected.
        this.#o.log.warn({ err, node: this.url, method, path }, 'could not tell a media node about a piped producer');
      }
    });
  }
}
