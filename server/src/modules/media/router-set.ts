/**
 * The routers of one media room. The first router also hosts the
 * active-speaker observer; more are added on other workers once every router
 * holds its consumer budget, and producers are piped (pipeToRouter) into the
 * routers whose consumers need them.
 */
import { AppError } from '../../lib/app-error.ts';
import type { MediaLogger } from './logger.ts';
import type { ms } from './mediasoup.ts';
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
  readonly #pipes = new Map<ms.Router, Map<string, Promise<void>>>();
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
    }));
  }

  usesWorker(worker: ms.Worker): boolean {
    return this.#entries.some((e) => this.#o.pool.workerOf(e.router) === worker);
  }

  /** The router with the fewest consumers under budget, adding one on another worker when all are full. */
  async forNewTransport(): Promise<RouterEntry> {
    const open = this.#entries.filter((e) => e.consumers < this.#o.budget);
    if (open.length) return open.reduce((a, b) => (b.consumers < a.consumers ? b : a));
    // Concurrent callers share the one router being added.
    this.#adding ??= this.add().finally(() => (this.#adding = null));
    return this.#adding;
  }

  /** Adds a router on the least-loaded worker, preferring workers this room does not use yet. */
  async add(): Promise<RouterEntry> {
    const used = this.#entries.map((e) => this.#o.pool.workerOf(e.router)).filter((w): w is ms.Worker => w !== null);
    const router = await this.#o.pool.createRouter(used);
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
    if (this.#entries.length > 1) this.#o.log.info({ meetingId: this.#o.meetingId, routerId: router.id, workerPid }, 'media room spread to another router');
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

  /** Makes a producer living on `source` available on `target`, piping it once per router. */
  async ensureOn(producerId: string, source: ms.Router, target: RouterEntry): Promise<void> {
    if (source === target.router) return;
    let piped = this.#pipes.get(target.router);
    if (!piped) {
      piped = new Map();
      this.#pipes.set(target.router, piped);
    }
    let p = piped.get(producerId);
    if (!p) {
      const map = piped;
      p = source.pipeToRouter({ producerId, router: target.router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => map.delete(producerId));
      });
      p.catch(() => map.delete(producerId));
      map.set(producerId, p);
    }
    await p;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries) e.router.close();
    this.#entries.length = 0;
    this.#pipes.clear();
  }
}
