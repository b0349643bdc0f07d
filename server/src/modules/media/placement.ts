/**
 * The cost model behind media placement. A worker's load is what it was
 * measured to use (getResourceUsage CPU time, sampled periodically) or what
 * the model says its consumers, producers and outgoing pipes cost, whichever
 * is higher: the model sees at once what was just added, the measurement sees
 * what the model misses (bitrates, RTCP, retransmissions). Pure: tested
 * without a worker.
 */

/** CPU cost of one item on a worker, in % of one core. */
export interface CostModel {
  /** A consumer: each forwarded packet is sent once per consumer. */
  consumer: number;
  /** A producer (or a pipe producer on the receiving worker): its packets come in and are routed. */
  producer: number;
  /** A producer piped out to another worker: the sending worker forwards it once more over the pipe. */
  pipe: number;
}

/**
 * Fitted to scripts/bench-sfu on the 2-core reference machine: the 213-bridge
 * shape (426 producers, 638 consumers) measured about 45 % of a core on one
 * router; a piped producer costs the sender about what a consumer of all its
 * layers does.
 */
export const DEFAULT_COST: CostModel = { consumer: 0.035, producer: 0.05, pipe: 0.06 };

export interface WorkerCounts {
  consumers: number;
  producers: number;
  pipes: number;
}

export const modeledCpu = (c: WorkerCounts, m: CostModel): number => c.consumers * m.consumer + c.producers * m.producer + c.pipes * m.pipe;

/** The load placement decides by: the higher of measured and modelled CPU, in % of a core. */
export const workerLoad = (measured: number | null, modeled: number): number => Math.max(measured ?? 0, modeled);

/** What a new transport is expected to add before the next sample: a couple of consumers. */
export const transportHeadroom = (m: CostModel): number => 2 * m.consumer;

/** Whether a worker at `load` can take one more transport without reaching `limit`. */
export const canTake = (load: number, limit: number, m: CostModel): boolean => load + transportHeadroom(m) < limit;

/**
 * What spreading costs the worker a room spreads from: the new router's first
 * consumers pipe at least the stage camera and the speaker's mic out of it.
 */
export const spreadReserve = (m: CostModel): number => 2 * m.pipe;

/**
 * Whether a room keeps adding transports to its router on a worker at `load`:
 * only while that leaves room for the pipes a later spread would cost it, so
 * the worker carrying the room's media never has to spread past its limit.
 */
export const canStay = (load: number, limit: number, m: CostModel): boolean => load + transportHeadroom(m) + spreadReserve(m) < limit;

/** One of a room's routers as placement sees it. */
export interface RouterChoice {
  /** Load of the router's worker, % of a core. */
  load: number;
  /** Below the hard consumer ceiling (CONSUMER_BUDGET_PER_ROUTER). */
  underBudget: boolean;
}

/** Put the transport on the room's router at `router`, or add a router on the spare worker. */
export type Placement = { router: number } | { spread: true };

/**
 * Where a room's next transport goes. The room keeps to its first router whose
 * worker can stay (fewest routers, fewest pipes); past that it spreads to the
 * least-loaded worker it does not use (`spare`, its load, or null when it uses
 * them all) if that worker can take it. When no worker has room, spreading
 * would only add pipe cost to full workers, so the room crowds its own
 * least-loaded router instead; it spreads regardless only when every router
 * is at the consumer ceiling.
 */
export function placeTransport(routers: readonly RouterChoice[], spare: number | null, limit: number, m: CostModel): Placement {
  const stay = routers.findIndex((r) => r.underBudget && canStay(r.load, limit, m));
  if (stay >= 0) return { router: stay };
  if (spare !== null && canTake(spare, limit, m)) return { spread: true };
  let best = -1;
  routers.forEach((r, i) => {
    if (r.underBudget && (best < 0 || r.load < routers[best]!.load)) best = i;
  });
  return best >= 0 ? { router: best } : { spread: true };
}

/** CPU % of a core between two getResourceUsage samples (ru_utime/ru_stime are in ms). */
export function cpuBetween(a: { cpuMs: number; at: number }, b: { cpuMs: number; at: number }): number | null {
  const wall = b.at - a.at;
  if (wall <= 0) return null;
  return Math.max(0, ((b.cpuMs - a.cpuMs) / wall) * 100);
}
