/**
 * One mediasoup worker per core. Rooms ask for routers on the least-loaded
 * worker; a worker that dies is replaced and reported so the rooms that used
 * it can be rebuilt.
 */
import { EventEmitter } from 'node:events';
import { loadMediasoup, type MediasoupModule, type ms } from './mediasoup.ts';
import { MEDIA_CODECS } from './codecs.ts';
import { noopLogger, type MediaLogger } from './logger.ts';

export interface WorkerPoolOptions {
  workerBin: string;
  numWorkers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger?: MediaLogger;
  /** Delay before respawning a dead worker; grows on repeated failures. */
  respawnDelayMs?: number;
}

interface Slot {
  index: number;
  worker: ms.Worker | null;
  routers: Set<ms.Router>;
  consumers: number;
}

export interface WorkerPoolEvents {
  /** A worker died; its routers are already closed. */
  workerdied: [{ index: number; pid: number; error: Error }];
  /** A replacement worker is running in slot `index`. */
  workerreplaced: [{ index: number; pid: number }];
}

export interface WorkerLoad {
  index: number;
  pid: number | null;
  routers: number;
  consumers: number;
}

type PoolOptions = Required<Omit<WorkerPoolOptions, 'logger'>> & { logger: MediaLogger };

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #ms: MediasoupModule;
  readonly #opts: PoolOptions;
  readonly #slots: Slot[] = [];
  readonly #routerSlot = new WeakMap<ms.Router, Slot>();
  #closed = false;
  #respawnTimers = new Set<NodeJS.Timeout>();

  private constructor(mod: MediasoupModule, opts: PoolOptions) {
    super();
    this.#ms = mod;
    this.#opts = opts;
  }

  /** Spawns `numWorkers` workers; rejects (after closing any started) if one fails. */
  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const mod = await loadMediasoup(options.workerBin);
    const pool = new WorkerPool(mod, {
      ...options,
      respawnDelayMs: options.respawnDelayMs ?? 1000,
      logger: options.logger ?? noopLogger,
    });
    try {
      for (let i = 0; i < options.numWorkers; i++) {
        const slot: Slot = { index: i, worker: null, routers: new Set(), consumers: 0 };
        pool.#slots.push(slot);
        await pool.#spawn(slot);
      }
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get mediasoup(): MediasoupModule {
    return this.#ms;
  }

  /** Live workers, in slot order. */
  get workers(): ms.Worker[] {
    return this.#slots.flatMap((s) => (s.worker ? [s.worker] : []));
  }

  loads(): WorkerLoad[] {
    return this.#slots.map((s) => ({ index: s.index, pid: s.worker?.pid ?? null, routers: s.routers.size, consumers: s.consumers }));
  }

  /** The worker a router runs on. */
  workerOf(router: ms.Router): ms.Worker | null {
    return this.#routerSlot.get(router)?.worker ?? null;
  }

  /**
   * Creates a router on the least-loaded live worker, preferring workers not in
   * `avoid` (a room spreading over several workers passes the ones it uses).
   */
  async createRouter(avoid: Iterable<ms.Worker> = []): Promise<ms.Router> {
    if (this.#closed) throw new Error('worker pool closed');
    const avoidSet = new Set(avoid);
    const live = this.#slots.filter((s) => s.worker && !s.worker.closed);
    if (!live.length) throw new Error('no mediasoup worker is running');
    const preferred = live.filter((s) => !avoidSet.has(s.worker!));
    const pick = (preferred.length ? preferred : live).reduce((a, b) => (this.#load(b) < this.#load(a) ? b : a));
    const router = await pick.worker!.createRouter({ mediaCodecs: MEDIA_CODECS });
    pick.routers.add(router);
    this.#routerSlot.set(router, pick);
    router.observer.once('close', () => pick.routers.delete(router));
    return router;
  }

  /** Counts a consumer against its router's worker until it closes. */
  trackConsumer(router: ms.Router, consumer: ms.Consumer): void {
    const slot = this.#routerSlot.get(router);
    if (!slot) return;
    const worker = slot.worker;
    slot.consumers++;
    consumer.observer.once('close', () => {
      // A replaced worker starts from zero; don't let old consumers drive it negative.
      if (slot.worker === worker) slot.consumers = Math.max(0, slot.consumers - 1);
    });
  }

  /** Closes every worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#respawnTimers) clearTimeout(t);
    for (const slot of this.#slots) slot.worker?.close();
  }

  // Consumers dominate a worker's CPU (each forwarded packet is sent once per
  // consumer); routers break ties so empty rooms still spread out.
  #load(slot: Slot): number {
    return slot.consumers * 1000 + slot.routers.size;
  }

  async #spawn(slot: Slot): Promise<void> {
    const worker = await this.#ms.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.#opts.rtcMinPort,
      rtcMaxPort: this.#opts.rtcMaxPort,
    });
    if (this.#closed) {
      worker.close();
      return;
    }
    slot.worker = worker;
    slot.routers = new Set();
    slot.consumers = 0;
    worker.on('died', (error: Error) => this.#onDied(slot, worker, error));
    this.#opts.logger.info({ pid: worker.pid, slot: slot.index }, 'mediasoup worker started');
  }

  #onDied(slot: Slot, worker: ms.Worker, error: Error, attempt = 0): void {
    if (this.#closed || slot.worker !== worker) return;
    this.#opts.logger.error({ pid: worker.pid, slot: slot.index, err: error }, 'mediasoup worker died; replacing it');
    slot.worker = null;
    slot.routers = new Set();
    slot.consumers = 0;
    this.emit('workerdied', { index: slot.index, pid: worker.pid, error });
    this.#scheduleRespawn(slot, attempt);
  }

  #scheduleRespawn(slot: Slot, attempt: number): void {
    // First replacement is immediate so rooms can be rebuilt at once; failures back off.
    const delay = attempt === 0 ? 0 : Math.min(30_000, this.#opts.respawnDelayMs * 2 ** (attempt - 1));
    const timer = setTimeout(() => {
      this.#respawnTimers.delete(timer);
      if (this.#closed) return;
      this.#spawn(slot).then(
        () => {
          if (slot.worker) this.emit('workerreplaced', { index: slot.index, pid: slot.worker.pid });
        },
        (err: unknown) => {
          this.#opts.logger.error({ slot: slot.index, err }, 'mediasoup worker respawn failed');
          this.#scheduleRespawn(slot, attempt + 1);
        },
      );
    }, delay);
    this.#respawnTimers.add(timer);
  }
}
