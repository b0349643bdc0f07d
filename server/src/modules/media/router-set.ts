/**
 * The routers of one media room. The first router also hosts the
 * active-speaker observer. A room stays on one router while its worker has
 * CPU to spare (measured and modelled, see placement.ts) and spreads to a
 * router on the least-loaded other worker only when that worker nears its
 * limit. Producers are piped (pipeToRouter) into another router lazily, on the
 * first consumer there, and the pipe is closed when no consumer there uses it
 * any more, so a spread room pipes what is watched there, not every producer.
 */
import { AppError } from '../../lib/app-error.ts';
import type { MediaLogger } from './logger.ts';
import type { ms } from './mediasoup.ts';
import { placeTransport } from './placement.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RouterEntry {
  router: ms.Router;
  consumers: number;
  transports: number;
}

export interface RouterLoad {
  routerId: string;
  workerPid: number | null;
  consumers: number;
  transports: number;
  /** Producers piped into this router from the room's other routers. */
  piped: number;
  pipedProducerIds: string[];
}

interface Pipe {
  /** Holders: consumers on the target router, or the active-speaker observer. */
  refs: number;
  ready: Promise<ms.PipeToRouterResult>;
}

export interface RouterSetOptions {
  meetingId: number;
  pool: WorkerPool;
  budget: number;
  log: MediaLogger;
  /** A worker under one of the routers died (or was closed). */
  onWorkerClosed: () => void;
  onAdded: (info: { routerId: string; workerPid: number | null }) => void;
}

const gone = () => new AppError('MEDIA_ERROR', 409, 'Media room closed; join again');

export class RouterSet {
  readonly #o: RouterSetOptions;
  readonly #entries: RouterEntry[] = [];
  /** Producers piped into each router, keyed by producer id. */
  readonly #pipes = new Map<ms.Router, Map<string, Pipe>>();
  #adding: Promise<RouterEntry> | null = null;
  #closed = false;

  constructor(opts: RouterSetOptions) {
    this.#o = opts;
  }

  get primary(): RouterEntry {
    const e = this.#entries[0];
    if (!e) throw gone();
    return e;
  }

  entryOf(router: ms.Router): RouterEntry {
    const e = this.#entries.find((r) => r.router === router);
    if (!e) throw gone();
    return e;
  }

  loads(): RouterLoad[] {
    return this.#entries.map((e) => ({
      routerId: e.router.id,
      workerPid: this.#o.pool.workerOf(e.router)?.pid ?? null,
      consumers: e.consumers,
      transports: e.transports,
      piped: this.#pipes.get(e.router)?.size ?? 0,
      pipedProducerIds: [...(this.#pipes.get(e.router)?.keys() ?? [])],
    }));
  }

  #usedWorkers(): ms.Worker[] {
    return this.#entries.map((e) => this.#o.pool.workerOf(e.router)).filter((w): w is ms.Worker => w !== null);
  }

  usesWorker(worker: ms.Worker): boolean {
    return this.#entries.some((e) => this.#o.pool.workerOf(e.router) === worker);
  }

  /**
   * The router for the room's next transport, by the workers' load and the
   * cost of piping (placement.ts placeTransport): the room's first router
   * whose worker can stay, else a new router on the least-loaded worker the
   * room does not use yet if that worker has room, else the room's own
   * least-loaded router.
   */
  async forNewTransport(): Promise<RouterEntry> {
    const { pool, budget } = this.#o;
    if (this.#closed) throw gone();
    const choice = placeTransport(
      this.#entries.map((e) => ({ load: pool.loadOf(e.router), underBudget: e.consumers < budget })),
      pool.spareLoad(this.#usedWorkers()),
      pool.cpuLimit,
      pool.cost,
    );
    if ('router' in choice) return this.#entries[choice.router]!;
    // Concurrent callers share the one router being added.
    this.#adding ??= this.add().finally(() => (this.#adding = null));
    return this.#adding;
  }

  /** Adds a router on the least-loaded worker, preferring workers this room does not use yet. */
  async add(): Promise<RouterEntry> {
    const router = await this.#o.pool.createRouter(this.#usedWorkers());
    if (this.#closed) {
      router.close();
      throw gone();
    }
    const entry: RouterEntry = { router, consumers: 0, transports: 0 };
    this.#entries.push(entry);
    router.once('workerclose', () => {
      this.#o.log.error({ meetingId: this.#o.meetingId, routerId: router.id }, 'worker under media room died');
      this.#o.onWorkerClosed();
    });
    router.observer.once('close', () => this.#pipes.delete(router));
    const workerPid = this.#o.pool.workerOf(router)?.pid ?? null;
    if (this.#entries.length > 1) {
      const loads = this.#entries.map((e) => Math.round(this.#o.pool.loadOf(e.router)));
      this.#o.log.info({ meetingId: this.#o.meetingId, routerId: router.id, workerPid, loads }, 'media room spread to another router');
    }
    this.#o.onAdded({ routerId: router.id, workerPid });
    return entry;
  }

  /** Closes an extra router once nothing uses it, so a shrinking meeting gives the worker back. */
  maybeDrop(entry: RouterEntry): void {
    if (this.#closed || entry === this.#entries[0] || entry.transports > 0 || entry.consumers > 0) return;
    const i = this.#entries.indexOf(entry);
    if (i < 0) return;
    this.#entries.splice(i, 1);
    entry.router.close();
  }

  /**
   * Makes a producer living on `source` available on `target`, piping it once
   * per router, and holds the pipe until the returned release is called; the
   * last release closes the pipe so the source worker stops forwarding it.
   */
  async acquire(producerId: string, source: ms.Router, target: RouterEntry): Promise<() => void> {
    if (source === target.router) return () => {};
    let piped = this.#pipes.get(target.router);
    if (!piped) {
      piped = new Map();
      this.#pipes.set(target.router, piped);
    }
    const map = piped;
    let pipe = map.get(producerId);
    if (!pipe) {
      const ready = source.pipeToRouter({ producerId, router: target.router }).then((res) => {
        const { pipeConsumer, pipeProducer } = res;
        if (pipeConsumer) this.#o.pool.trackPipe(source, pipeConsumer);
        if (pipeProducer) {
          this.#o.pool.trackProducer(target.router, pipeProducer);
          // The source producer closing closes the pipe producer: forget it then.
          pipeProducer.observer.once('close', () => {
            if (map.get(producerId) === created) map.delete(producerId);
            pipeConsumer?.close();
          });
        }
        return res;
      });
      const created: Pipe = { refs: 0, ready };
      ready.catch(() => {
        if (map.get(producerId) === created) map.delete(producerId);
      });
      map.set(producerId, created);
      pipe = created;
    }
    const held = pipe;
    held.refs++;
    try {
      await held.ready;
    } catch (err) {
      held.refs--;
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.refs > 0) return;
      if (map.get(producerId) === held) map.delete(producerId);
      void held.ready.then(
        ({ pipeConsumer, pipeProducer }) => {
          pipeProducer?.close();
          pipeConsumer?.close();
        },
        () => {},
      );
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries) e.router.close();
    this.#entries.length = 0;
    this.#pipes.clear();
  }
}
