/**
 * One mediasoup worker per core. Rooms ask for routers on the least-loaded
 * worker, load being the higher of the worker's measured CPU (sampled with
 * getResourceUsage) and the cost model of what it carries (placement.ts); a
 * worker that dies is replaced and reported so the rooms that used it can be
 * rebuilt.
 */
import { EventEmitter } from 'node:events';
import { loadMediasoup, type MediasoupModule, type ms } from './mediasoup.ts';
import { MEDIA_CODECS } from './codecs.ts';
import { noopLogger, type MediaLogger } from './logger.ts';
import { cpuBetween, DEFAULT_COST, modeledCpu, workerLoad, type CostModel, type WorkerCounts } from './placement.ts';

export interface WorkerPoolOptions {
  workerBin: string;
  numWorkers: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger?: MediaLogger;
  /** Delay before respawning a dead worker; grows on repeated failures. */
  respawnDelayMs?: number;
  /** A worker counts as full at this CPU, in % of one core. */
  workerCpuLimit?: number;
  /** How often each worker's CPU is sampled. */
  loadSampleMs?: number;
  cost?: CostModel;
}

interface Slot {
  index: number;
  worker: ms.Worker | null;
  routers: Set<ms.Router>;
  counts: WorkerCounts;
  /** Last CPU sample and the CPU measured between the last two. */
  sample: { cpuMs: number; at: number } | null;
  cpu: number | null;
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
  producers: number;
  /** Producers this worker pipes out to routers on other workers. */
  pipes: number;
  /** Measured CPU, % of one core (null until two samples). */
  cpu: number | null;
  /** What the cost model says it carries, % of one core. */
  modeled: number;
  /** The load placement uses: the higher of the two. */
  load: number;
  limit: number;
}

const zero = (): WorkerCounts => ({ consumers: 0, producers: 0, pipes: 0 });

type PoolOptions = Required<Omit<WorkerPoolOptions, 'logger'>> & { logger: MediaLogger };

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #ms: MediasoupModule;
  readonly #opts: PoolOptions;
  readonly #slots: Slot[] = [];
  readonly #routerSlot = new WeakMap<ms.Router, Slot>();
  #closed = false;
  #respawnTimers = new Set<NodeJS.Timeout>();
  #sampler: NodeJS.Timeout | null = null;

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
      workerCpuLimit: options.workerCpuLimit ?? 70,
      loadSampleMs: options.loadSampleMs ?? 2000,
      cost: options.cost ?? DEFAULT_COST,
      logger: options.logger ?? noopLogger,
    });
    try {
      for (let i = 0; i < options.numWorkers; i++) {
        const slot: Slot = { index: i, worker: null, routers: new Set(), counts: zero(), sample: null, cpu: null };
        pool.#slots.push(slot);
        await pool.#spawn(slot);
      }
    } catch (err) {
      pool.close();
      throw err;
    }
    pool.#sampler = setInterval(() => void pool.sampleLoad(), pool.#opts.loadSampleMs);
    pool.#sampler.unref();
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
    return this.#slots.map((s) => {
      const modeled = modeledCpu(s.counts, this.#opts.cost);
      return {
        index: s.index,
        pid: s.worker?.pid ?? null,
        routers: s.routers.size,
        ...s.counts,
        cpu: s.cpu,
        modeled,
        load: workerLoad(s.cpu, modeled),
        limit: this.#opts.workerCpuLimit,
      };
    });
  }

  /** A worker counts as full at this load, % of one core. */
  get cpuLimit(): number {
    return this.#opts.workerCpuLimit;
  }

  get cost(): CostModel {
    return this.#opts.cost;
  }

  /** The load of the worker createRouter(avoid) would pick among those not in `avoid`, or null when there is none. */
  spareLoad(avoid: Iterable<ms.Worker>): number | null {
    const avoidSet = new Set(avoid);
    const spare = this.#live().filter((s) => !avoidSet.has(s.worker!));
    return spare.length ? Math.min(...spare.map((s) => this.#load(s))) : null;
  }

  /** The load of the worker under `router` (Infinity when it is gone). */
  loadOf(router: ms.Router): number {
    const slot = this.#routerSlot.get(router);
    return slot?.worker ? this.#load(slot) : Infinity;
  }

  /** Samples every worker's CPU time now (the timer calls this; tests and the admin page may too). */
  async sampleLoad(): Promise<void> {
    await Promise.all(
      this.#slots.map(async (slot) => {
        const worker = slot.worker;
        if (!worker || worker.closed) return;
        try {
          const ru = await worker.getResourceUsage();
          if (slot.worker !== worker) return;
          const next = { cpuMs: ru.ru_utime + ru.ru_stime, at: performance.now() };
          if (slot.sample) slot.cpu = cpuBetween(slot.sample, next) ?? slot.cpu;
          slot.sample = next;
        } catch {
          // A worker closing under the sample: its replacement starts from scratch.
        }
      }),
    );
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
    const live = this.#live();
    if (!live.length) throw new Error('no mediasoup worker is running');
    const preferred = live.filter((s) => !avoidSet.has(s.worker!));
    const pick = (preferred.length ? preferred : live).reduce((a, b) => (this.#load(b) < this.#load(a) || (this.#load(b) === this.#load(a) && b.routers.size < a.routers.size) ? b : a));
    const router = await pick.worker!.createRouter({ mediaCodecs: MEDIA_CODECS });
    pick.routers.add(router);
    this.#routerSlot.set(router, pick);
    router.observer.once('close', () => pick.routers.delete(router));
    return router;
  }

  /** Counts a consumer against its router's worker until it closes. */
  trackConsumer(router: ms.Router, consumer: ms.Consumer): void {
    this.#track(router, 'consumers', consumer);
  }

  /** Counts a producer (or a pipe producer) against its router's worker until it closes. */
  trackProducer(router: ms.Router, producer: ms.Producer): void {
    this.#track(router, 'producers', producer);
  }

  /** Counts a pipe out of `router`'s worker (its pipe consumer) until it closes. */
  trackPipe(router: ms.Router, pipeConsumer: ms.Consumer): void {
    this.#track(router, 'pipes', pipeConsumer);
  }

  #track(router: ms.Router, what: keyof WorkerCounts, item: { observer: { once(ev: 'close', fn: () => void): unknown } }): void {
    const slot = this.#routerSlot.get(router);
    if (!slot) return;
    const worker = slot.worker;
    slot.counts[what]++;
    item.observer.once('close', () => {
      // A replaced worker starts from zero; don't let old items drive it negative.
      if (slot.worker === worker) slot.counts[what] = Math.max(0, slot.counts[what] - 1);
    });
  }

  /** Closes every worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#respawnTimers) clearTimeout(t);
    if (this.#sampler) clearInterval(this.#sampler);
    for (const slot of this.#slots) slot.worker?.close();
  }

  #live(): Slot[] {
    return this.#slots.filter((s) => s.worker && !s.worker.closed);
  }

  #load(slot: Slot): number {
    return workerLoad(slot.cpu, modeledCpu(slot.counts, this.#opts.cost));
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
    slot.counts = zero();
    slot.sample = null;
    slot.cpu = null;
    worker.on('died', (error: Error) => this.#onDied(slot, worker, error));
    this.#opts.logger.info({ pid: worker.pid, slot: slot.index }, 'mediasoup worker started');
  }

  #onDied(slot: Slot, worker: ms.Worker, error: Error, attempt = 0): void {
    if (this.#closed || slot.worker !== worker) return;
    this.#opts.logger.error({ pid: worker.pid, slot: slot.index, err: error }, 'mediasoup worker died; replacing it');
    slot.worker = null;
    slot.routers = new Set();
    slot.counts = zero();
    slot.sample = null;
    slot.cpu = null;
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
