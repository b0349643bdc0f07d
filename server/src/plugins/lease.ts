/**
 * One owner node per live meeting (issue 12), through a lease in the Redis the nodes share.
 *
 * Why one owner rather than every node writing: a meeting's live state (conference cache, the
 * open poll's mirror and ballot key, the floor and countdown timers) is kept in memory, taken as
 * committed. Two nodes each holding such a copy would each act on a stale one; with one owner the
 * single-process design holds unchanged, and the other nodes forward that meeting's commands to it
 * (realtime-forward.ts). The lease lives in Redis, not in the database, so it does not depend on
 * which database is behind the repositories (SQLite today, PostgreSQL later).
 *
 * The lease is `SET key holder NX PX ttl`, renewed every ttl/3 by a compare-and-extend script and
 * released by compare-and-delete. When its owner dies the key expires; the first node that needs the
 * meeting (a command, or the sweep over meetings with running timers) takes it and rebuilds the state
 * from the database (`onGained`). Fencing: `owns()` turns false a margin before the key can expire in
 * Redis, measured from before the request that set or extended it, so a node that stopped renewing
 * (paused, cut from Redis) stops acting before another node may have taken over; the database's
 * unique constraints and idempotent casts stop double votes in the window that remains.
 *
 * Without REDIS_URL every meeting is this process's: `owns()` is true and nothing else runs.
 */
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { RedisClient } from './redis.ts';

export interface MeetingLeases {
  /** Whether nodes share Redis (leases in force). */
  readonly clustered: boolean;
  /** This process's lease value: the node id and a per-start suffix (two starts never share leases). */
  readonly holder: string;
  /** Whether this process may act for the meeting right now (always, on a single node). */
  owns(meetingId: number): boolean;
  /**
   * Whether this process holds the meeting, though perhaps not right now: a renewal came late (a
   * stalled event loop, Redis slow) and the next one may still extend it. A timer due meanwhile waits.
   */
  holds(meetingId: number): boolean;
  /** Takes the meeting's lease when it is free; null when it is (now) ours, else the holder that has it. */
  claim(meetingId: number): Promise<string | null>;
  /** Milliseconds until the meeting's lease expires in Redis (0 when nobody holds it). */
  remainingMs(meetingId: number): Promise<number>;
  /** Runs when this node takes a meeting over: rebuild its state from the database and re-arm its timers. */
  onGained(fn: (meetingId: number) => void): void;
  /** Runs when the lease is lost (another node holds it now): drop the meeting's state and timers. */
  onLost(fn: (meetingId: number) => void): void;
  /** Meetings that need an owner with no command coming (running countdowns); the sweep claims them. */
  needsOwner(fn: () => readonly number[] | Promise<readonly number[]>): void;
  /** Tests: behave as a node killed outright: stop renewing, and never release on close. */
  abandon(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    lease: MeetingLeases;
  }
}

export interface LeaseOptions {
  redis: RedisClient | null;
  nodeId: string;
  /** Lease lifetime; an owner that died is replaced within about this long. */
  ttlMs: number;
}

const keyOf = (meetingId: number) => `diemcau:lease:meeting:${meetingId}`;
const EXTEND = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const single = (nodeId: string): MeetingLeases => ({
  clustered: false,
  holder: nodeId,
  owns: () => true,
  holds: () => true,
  claim: async () => null,
  remainingMs: async () => 0,
  onGained: () => {},
  onLost: () => {},
  needsOwner: () => {},
  abandon: () => {},
});

class RedisLeases implements MeetingLeases {
  readonly clustered = true;
  readonly holder: string;
  readonly #redis: RedisClient;
  readonly #ttl: number;
  /** Owned meetings and the local time until which we may act for them. */
  readonly #held = new Map<number, number>();
  /** Claims in flight, so concurrent commands of one meeting take it over once. */
  readonly #claiming = new Map<number, Promise<string | null>>();
  readonly #gained: ((id: number) => void)[] = [];
  readonly #lost: ((id: number) => void)[] = [];
  readonly #wanted: (() => readonly number[] | Promise<readonly number[]>)[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #onError: (err: unknown, what: string) => void;
  #abandoned = false;
  #busy = false;

  constructor(redis: RedisClient, nodeId: string, ttlMs: number, onError: (err: unknown, what: string) => void) {
    this.#redis = redis;
    this.#ttl = ttlMs;
    this.#onError = onError;
    this.holder = `${nodeId}:${randomUUID().slice(0, 8)}`;
    this.#timer = setInterval(() => void this.#tick(), Math.max(50, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /** Until when we may act after setting or extending at `sentAt`: a fifth of the lease is the fencing margin. */
  #deadline = (sentAt: number) => sentAt + this.#ttl - Math.ceil(this.#ttl / 5);

  owns(meetingId: number): boolean {
    const until = this.#held.get(meetingId);
    return until !== undefined && performance.now() < until;
  }

  holds(meetingId: number): boolean {
    return this.#held.has(meetingId);
  }

  claim(meetingId: number): Promise<string | null> {
    if (this.owns(meetingId)) return Promise.resolve(null);
    const inFlight = this.#claiming.get(meetingId);
    if (inFlight) return inFlight;
    const p = this.#claim(meetingId).finally(() => this.#claiming.delete(meetingId));
    this.#claiming.set(meetingId, p);
    return p;
  }

  async #claim(meetingId: number): Promise<string | null> {
    if (this.#abandoned) return 'abandoned';
    const key = keyOf(meetingId);
    const sentAt = performance.now();
    const set = await this.#redis.set(key, this.holder, { condition: 'NX', expiration: { type: 'PX', value: this.#ttl } });
    if (set === 'OK') {
      // Ours before, but the key expired meanwhile: another node may have run the meeting in between,
      // so what we kept of it is dropped before it is rebuilt.
      if (this.#held.has(meetingId)) this.#lose(meetingId);
      this.#held.set(meetingId, this.#deadline(sentAt));
      this.#fire(this.#gained, meetingId, 'taking over a meeting failed');
      return null;
    }
    const current = await this.#redis.get(key);
    if (current !== this.holder) return current ?? (await this.#claim(meetingId));
    // Still ours in Redis though our margin ran out (a slow renewal): extend rather than rebuild.
    if (await this.#extend(meetingId)) return null;
    return this.#claim(meetingId);
  }

  async remainingMs(meetingId: number): Promise<number> {
    return Math.max(0, await this.#redis.pTTL(keyOf(meetingId)));
  }

  async #extend(meetingId: number): Promise<boolean> {
    const sentAt = performance.now();
    const ok = Number(await this.#redis.eval(EXTEND, { keys: [keyOf(meetingId)], arguments: [this.holder, String(this.#ttl)] })) === 1;
    if (ok) this.#held.set(meetingId, this.#deadline(sentAt));
    return ok;
  }

  /** Renews what we hold and claims the meetings that need an owner and have none. */
  async #tick(): Promise<void> {
    // One round at a time: a slow Redis must not stack renewals.
    if (this.#busy || this.#abandoned) return;
    this.#busy = true;
    try {
      for (const id of [...this.#held.keys()]) {
        try {
          if (!(await this.#extend(id))) this.#lose(id);
        } catch (err) {
          // Redis unreachable: owns() lapses by itself at the deadline; the next round tries again.
          this.#onError(err, 'renewing a meeting lease failed');
        }
      }
      const wanted = new Set<number>();
      for (const fn of this.#wanted) {
        try {
          for (const id of await fn()) wanted.add(id);
        } catch (err) {
          this.#onError(err, 'listing meetings that need an owner failed');
        }
      }
      for (const id of wanted) {
        if (this.#held.has(id)) continue;
        try {
          await this.claim(id);
        } catch (err) {
          this.#onError(err, 'claiming a meeting lease failed');
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  #lose(meetingId: number): void {
    this.#held.delete(meetingId);
    this.#fire(this.#lost, meetingId, 'dropping a lost meeting failed');
  }

  #fire(fns: ((id: number) => void)[], meetingId: number, what: string): void {
    for (const fn of fns) {
      try {
        fn(meetingId);
      } catch (err) {
        this.#onError(err, what);
      }
    }
  }

  onGained = (fn: (id: number) => void) => void this.#gained.push(fn);
  onLost = (fn: (id: number) => void) => void this.#lost.push(fn);
  needsOwner = (fn: () => readonly number[] | Promise<readonly number[]>) => void this.#wanted.push(fn);

  abandon(): void {
    this.#abandoned = true;
    clearInterval(this.#timer);
  }

  /** Stops renewing and hands our meetings back at once, so another node need not wait out the ttl. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#abandoned) return;
    this.#abandoned = true;
    const ids = [...this.#held.keys()];
    this.#held.clear();
    await Promise.allSettled(ids.map((id) => this.#redis.eval(RELEASE, { keys: [keyOf(id)], arguments: [this.holder] })));
  }
}

export default fp<LeaseOptions>(
  async (app, { redis, nodeId, ttlMs }) => {
    if (!redis) return void app.decorate('lease', single(nodeId));
    const leases = new RedisLeases(redis, nodeId, ttlMs, (err, what) => app.log.warn({ err }, what));
    app.decorate('lease', leases);
    app.log.info({ holder: leases.holder, ttlMs }, 'meeting leases in Redis');
    // onClose hooks run last-registered first: the features have stopped (their queued commands done)
    // before the leases go back, and the Redis client, registered earlier, closes after.
    app.addHook('onClose', async () => leases.close());
  },
  { name: 'lease', dependencies: ['redis'] },
);
