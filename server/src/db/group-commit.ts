/**
 * Group commit on the async data layer (db/database.ts), for ballots and conference commands
 * (check-ins).
 *
 * Jobs queued within one event-loop turn are written in ONE transaction and settled together once
 * it has committed, so 2,000 simultaneous ballots cost a few commits instead of 2,000. An ack still
 * means durably written: on SQLite under the connection's unchanged durability setting (WAL,
 * synchronous=NORMAL: survives a process crash or kill -9), on PostgreSQL a committed transaction.
 * One batch is in flight at a time; what arrives meanwhile forms the next one, after the event loop
 * has had a turn (on SQLite a batch holds the loop while it writes).
 *
 * A job that throws (already voted, a reused ballot id, ...) is rolled back alone and gets its own
 * error; the others still commit: the batch is first written whole, and only when a job throws is
 * it written again from the head with a savepoint per job (jobs only read and write the database,
 * so running one twice is safe). If the commit itself fails, every job of the batch is rejected:
 * nothing was acked, so nothing acked is lost.
 */
import { savepoint, type Database, type Store } from './database.ts';

interface Job<R> {
  write: (s: Store) => Promise<R>;
  after: (r: R) => void;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/** How long one batch may write before it commits and lets the event loop run (as realtime-queue.ts's slices). */
const SLICE_MS = 8;

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

export interface GroupCommitHooks {
  /** A batch committed; runs before any job's `after`. */
  committed?: () => void;
  /** A batch's transaction rolled back (a job threw on the first pass, or the commit failed). */
  rolledBack?: () => void;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

export class GroupCommit {
  readonly #db: Database;
  readonly #hooks: GroupCommitHooks;
  readonly #sliceMs: number;
  #queue: Job<unknown>[] = [];
  #running: Promise<void> | null = null;
  #commits = 0;

  /** `sliceMs`: how long one batch may write before it commits and lets the event loop run. */
  constructor(db: Database, hooks: GroupCommitHooks = {}, sliceMs = SLICE_MS) {
    this.#db = db;
    this.#hooks = hooks;
    this.#sliceMs = sliceMs;
  }

  /**
   * Queues `write` for the next batch. `after` runs once the batch has committed, before the
   * promise resolves (e.g. to update in-memory state only for what is really stored); if it throws,
   * the promise rejects with its error.
   */
  submit<R>(write: (s: Store) => Promise<R>, after: (r: R) => void = () => {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ write, after, resolve, reject } as Job<unknown>);
      this.#start(true);
    });
  }

  /** Batches committed so far: one transaction each. */
  get commits(): number {
    return this.#commits;
  }

  /**
   * Resolves once everything queued so far is written (or rejected), without waiting for what is
   * queued after: an empty job behind them, settled in order with its batch.
   */
  async flush(): Promise<void> {
    if (!this.#queue.length && !this.#running) return;
    await new Promise<void>((resolve) => {
      this.#queue.push({ write: async () => undefined, after: () => {}, resolve: () => resolve(), reject: () => resolve() });
      this.#start(false);
    });
  }

  #start(defer: boolean): void {
    if (this.#running || !this.#queue.length) return;
    this.#running = (async () => {
      // setImmediate runs after this turn's I/O callbacks: every job already read from the sockets
      // joins the batch. Between batches it lets timers and I/O run.
      for (let wait = defer; this.#queue.length; wait = true) {
        if (wait) await nextTurn();
        await this.#batch(performance.now() + this.#sliceMs);
      }
    })().finally(() => {
      this.#running = null;
      // A job queued after the loop's last look, before this ran, would otherwise wait for the next submit.
      this.#start(true);
    });
  }

  /** Commits the jobs at the head of the queue that fit before `deadline` (at least one). */
  async #batch(deadline: number): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      if (!(await this.#whole(deadline, outcomes))) {
        // Again from the head: the jobs that succeeded, the one that threw, and more while time is left.
        const reached = outcomes.length + 1;
        outcomes.length = 0;
        await this.#jobByJob(deadline, reached, outcomes);
      }
    } catch (err) {
      // The commit failed: nothing of this batch was acked, so nothing acked is lost.
      this.#hooks.rolledBack?.();
      for (const job of this.#queue.splice(0, Math.max(1, outcomes.length))) job.reject(err);
      return;
    }
    const jobs = this.#queue.splice(0, outcomes.length);
    this.#commits++;
    this.#hooks.committed?.();
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return job.reject(o.err);
      try {
        job.after(o.value);
        job.resolve(o.value);
      } catch (err) {
        job.reject(err);
      }
    });
  }

  /**
   * Jobs from the head of the queue while time is left before `deadline` (at least one), in one
   * transaction without savepoints: the common case, two statements fewer per job. A storm of 2,000
   * check-ins so becomes a few transactions of about SLICE_MS each rather than one that holds the
   * event loop for 150 ms. False when a job threw: the transaction was rolled back, and `outcomes`
   * holds the jobs before it.
   */
  async #whole(deadline: number, outcomes: Outcome[]): Promise<boolean> {
    const failed = new Error('a job failed');
    try {
      await this.#db.tx(async (s) => {
        for (const job of this.#queue) {
          if (outcomes.length > 0 && performance.now() > deadline) return;
          try {
            outcomes.push({ ok: true, value: await job.write(s) });
          } catch {
            throw failed;
          }
        }
      });
    } catch (err) {
      if (err !== failed) throw err;
      this.#hooks.rolledBack?.();
      return false;
    }
    return true;
  }

  /** Each job in its own savepoint: a job that throws is rolled back alone and gets its own error. At least `reached` jobs. */
  async #jobByJob(deadline: number, reached: number, outcomes: Outcome[]): Promise<void> {
    await this.#db.tx(async (s) => {
      for (const job of this.#queue) {
        if (outcomes.length >= reached && performance.now() > deadline) return;
        try {
          outcomes.push({ ok: true, value: await savepoint(s, job.write) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
    });
  }
}
