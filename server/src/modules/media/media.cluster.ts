/**
 * This node's part in the media cluster (issue 12): its pipes to other nodes
 * (node-pipe.ts, one per node, opened on first use) and the links other nodes
 * opened to it (pipe-ingress.ts). MediaService owns one when CLUSTER_SECRET is
 * set; the internal routes (media.internal.ts) drive the ingress side.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/app-error.ts';
import type { RedisClient } from '../../plugins/redis.ts';
import type { MediaLogger } from './logger.ts';
import type { DirectoryMessage } from './media.directory.ts';
import { NodeClient, type NodeRef, type PingReply } from './node-client.ts';
import { NodePipe } from './node-pipe.ts';
import { PipeIngress } from './pipe-ingress.ts';
import type { Room } from './room.ts';

export interface ClusterOptions {
  secret: string;
  nodeId: string;
  /** This node's internal base URL; a function because a node listening on port 0 learns it late. */
  selfUrl: () => string;
  listenIp: string;
  announcedIp: string | null;
  requestTimeoutMs: number;
  heartbeatMs: number;
  /**
   * The Redis the nodes share, and a way to hint the other nodes (media.directory.ts): with it,
   * nodes find each other and pipe stage and speakers on their own (media.fanout.ts); without it
   * only the internal pipe route does.
   */
  shared?: { redis: RedisClient; emit: (msg: DirectoryMessage) => void };
}

export class MediaCluster {
  readonly ingress: PipeIngress;
  readonly #o: ClusterOptions;
  readonly #client: NodeClient;
  readonly #log: MediaLogger;
  readonly #bootId = randomUUID();
  readonly #pipes = new Map<string, NodePipe>();
  #closed = false;

  constructor(opts: ClusterOptions, room: (meetingId: number) => Promise<Room>, log: MediaLogger) {
    this.#o = opts;
    this.#log = log;
    this.#client = new NodeClient({ secret: opts.secret, timeoutMs: opts.requestTimeoutMs });
    this.ingress = new PipeIngress({
      client: this.#client,
      room,
      listenIp: opts.listenIp,
      announcedIp: opts.announcedIp,
      heartbeatMs: opts.heartbeatMs,
      log,
    });
  }

  get options(): ClusterOptions {
    return this.#o;
  }

  /** Random per process start (the heartbeat and the directory tell a restarted node by it). */
  get bootId(): string {
    return this.#bootId;
  }

  self(): NodeRef {
    return { nodeId: this.#o.nodeId, url: this.#o.selfUrl() };
  }

  ping(): PingReply {
    return { nodeId: this.#o.nodeId, bootId: this.#bootId };
  }

  /** The pipe to the node at `url`, opened on first use. */
  pipeTo(url: string): NodePipe {
    if (this.#closed) throw new AppError('MEDIA_ERROR', 503, 'Media service stopped');
    const base = url.replace(/\/+$/, '');
    if (base === this.#o.selfUrl()) throw new AppError('VALIDATION_FAILED', 400, 'A node does not pipe media to itself');
    let pipe = this.#pipes.get(base);
    if (!pipe || pipe.closed) {
      const created = NodePipe.create({
        url: base,
        client: this.#client,
        self: () => this.self(),
        listenIp: this.#o.listenIp,
        announcedIp: this.#o.announcedIp,
        heartbeatMs: this.#o.heartbeatMs,
        log: this.#log,
        onClose: () => {
          if (this.#pipes.get(base) === created) this.#pipes.delete(base);
        },
      });
      this.#pipes.set(base, created);
      pipe = created;
    }
    return pipe;
  }

  /** The open pipe to `url`, if any (tests look at its transports). */
  existingPipe(url: string): NodePipe | null {
    return this.#pipes.get(url.replace(/\/+$/, '')) ?? null;
  }

  /** Sends a producer of `room` to the node at `url`; resolves with its id there (the same id). */
  async pipeProducer(url: string, room: Room, producerId: string): Promise<string> {
    const { producer, peer, router } = room.producerEntry(producerId);
    if (this.ingress.isRemotePeer(peer)) {
      // Media from a third node goes to the target from its own origin, not through here.
      throw new AppError('VALIDATION_FAILED', 400, 'That producer was piped in from another node');
    }
    return this.pipeTo(url).pipeProducer(room.meetingId, router, producer, { peerId: peer.id, info: peer.info });
  }

  /** A link closed at the other end, whichever side opened it. False when no such link is known here. */
  closeLink(linkId: string): boolean {
    if (this.ingress.closeLink(linkId)) return true;
    for (const pipe of this.#pipes.values()) if (pipe.closeLink(linkId)) return true;
    return false;
  }

  /** This node stops: closes every pipe and link, telling the other nodes. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pipe of [...this.#pipes.values()]) pipe.close(true);
    this.#pipes.clear();
    this.ingress.close(true);
  }
}
