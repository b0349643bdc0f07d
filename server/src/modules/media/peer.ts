/**
 * One participant's media state in a Room: its transports, producers and
 * consumers. Created and driven by Room; holds no policy.
 */
import { EventEmitter } from 'node:events';
import type { Role, SourceRef } from '@diemcau/shared';
import { AppError, notFound } from '../../lib/app-error.ts';
import type { ms } from './mediasoup.ts';

export interface PeerInfo {
  userId: number;
  role: Role;
  /** Set only for the operator of a bridge point invited to this meeting. */
  bridgePointId: number | null;
  /** Display name of the bridge point or person. */
  label: string;
  /** Chairs the meeting (secretariat of the chairing province, or admin). */
  chair: boolean;
}

export type Direction = 'send' | 'recv';

export interface TransportEntry {
  transport: ms.WebRtcTransport | ms.PlainTransport;
  router: ms.Router;
  direction: Direction;
}

export interface ConsumerEntry {
  consumer: ms.Consumer;
  router: ms.Router;
  /** Layer the client asked for; policy may cap it. */
  wantedSpatialLayer: number;
  wantedTemporalLayer: number | undefined;
  /** Paused by the client (consumer:pause). */
  clientPaused: boolean;
  /** Paused by link policy (audio-only). */
  policyPaused: boolean;
}

export interface PeerEvents {
  close: [];
}

export class Peer extends EventEmitter<PeerEvents> {
  readonly id: string;
  readonly info: PeerInfo;
  readonly source: SourceRef;
  /**
   * Stands for a peer of another node whose producers were piped in (pipe-ingress.ts): it has
   * no transports here, its mic is gated where it was produced, and it never keeps a room open.
   */
  readonly remote: boolean;
  /** The device's capabilities; needed before consuming. */
  rtpCapabilities: ms.RtpCapabilities | null = null;
  #closed = false;
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, ms.Producer>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  /** Kinds with a produce() in flight, so two concurrent calls cannot both pass the one-per-kind check. */
  readonly #producing = new Set<ms.MediaKind>();

  private constructor(id: string, info: PeerInfo, remote: boolean) {
    super();
    this.id = id;
    this.info = info;
    this.remote = remote;
    this.source =
      info.bridgePointId !== null ? { type: 'bridge', bridgePointId: info.bridgePointId } : { type: 'user', userId: info.userId };
  }

  static create({ id, info, remote = false }: { id: string; info: PeerInfo; remote?: boolean }): Peer {
    return new Peer(id, info, remote);
  }

  get closed(): boolean {
    return this.#closed;
  }

  addTransport(entry: TransportEntry): void {
    this.#transports.set(entry.transport.id, entry);
    entry.transport.observer.once('close', () => this.#transports.delete(entry.transport.id));
  }

  /** The peer's transport, or NOT_FOUND; `direction` also checks its use. */
  transport(id: string, direction?: Direction): TransportEntry {
    const t = this.#transports.get(id);
    if (!t) throw notFound('Transport');
    if (direction && t.direction !== direction) {
      throw new AppError('VALIDATION_FAILED', 400, `Transport ${id} is a ${t.direction} transport`);
    }
    return t;
  }

  transports(): TransportEntry[] {
    return [...this.#transports.values()];
  }

  /** Reserves a kind for a produce() in flight; CONFLICT if the peer already has or is creating one. */
  reserveKind(kind: ms.MediaKind): () => void {
    if (this.#producing.has(kind) || this.producerOfKind(kind)) {
      throw new AppError('CONFLICT', 409, `Already producing ${kind}`);
    }
    this.#producing.add(kind);
    return () => this.#producing.delete(kind);
  }

  addProducer(producer: ms.Producer): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  producer(id: string): ms.Producer {
    const p = this.#producers.get(id);
    if (!p) throw notFound('Producer');
    return p;
  }

  producerOfKind(kind: ms.MediaKind): ms.Producer | undefined {
    for (const p of this.#producers.values()) if (p.kind === kind) return p;
    return undefined;
  }

  producers(): ms.Producer[] {
    return [...this.#producers.values()];
  }

  addConsumer(entry: ConsumerEntry): void {
    this.#consumers.set(entry.consumer.id, entry);
    entry.consumer.observer.once('close', () => this.#consumers.delete(entry.consumer.id));
  }

  consumer(id: string): ConsumerEntry {
    const c = this.#consumers.get(id);
    if (!c) throw notFound('Consumer');
    return c;
  }

  consumers(): ConsumerEntry[] {
    return [...this.#consumers.values()];
  }

  /** Closes every transport (which closes its producers and consumers). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.emit('close');
  }
}
