/**
 * Group commit, for ballots and conference commands (check-ins). Jobs that
 * arrive within one event-loop turn are written in ONE SQLite transaction (one
 * WAL append) and acked together once it has committed, so 2,000 simultaneous
 * ballots or check-ins cost a few commits instead of 2,000. An ack means exactly what it meant before: committed under the
 * connection's unchanged durability setting (db/index.ts: WAL with
 * synchronous=NORMAL, which survives a process crash or kill -9; FULL would
 * add an fsync per commit against power loss, and would now cost one fsync
 * per batch rather than per ballot if it is ever wanted).
 *
 * A job that throws (already voted, a reused ballot id, ...) is rolled back
 * alone and gets its own error, and the others in the batch still commit: the
 * batch is first written whole, and only when a job throws is it written again
 * with a savepoint per job. If the commit itself fails, every job of
 * the batch is rejected: nothing was acked, so nothing acked is lost.
 */
import type { Db } from './index.ts';

interface Job<R> {
  write: () => R;
  after: (r: R) => void;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/** The default time one batch may write before it commits (as realtime-queue.ts's slices). */
const SLICE_MS = 8;

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

export interface GroupCommitHooks {
  /** A batch committed; runs before any job's `after`. */
  committed?: () => void;
  /** A batch's transaction rolled back (a job threw on the first pass, or the commit failed). */
  rolledBack?: () => void;
}

export class GroupCommit {
  readonly #db: Db;
  #queue: Job<unknown>[] = [];
  #scheduled = false;
  #commits = 0;

  /** Runs a job in a savepoint; made once (better-sqlite3 builds a wrapper per `transaction()` call, ~30 µs). */
  readonly #inSavepoint: (write: () => unknown) => unknown;

  readonly #hooks: GroupCommitHooks;
  readonly #sliceMs: number;

  /**
   * `hooks` let a caller keep state that jobs of one batch share, and drop it with a rollback.
   * `sliceMs`: how long one batch may write before it commits and lets the event loop run.
   */
  constructor(db: Db, hooks: GroupCommitHooks = {}, sliceMs = SLICE_MS) {
    this.#db = db;
    this.#hooks = hooks;
    this.#sliceMs = sliceMs;
    this.#inSavepoint = db.$client.transaction((write: () => unknown) => write());
  }

  /**
   * Queues `write` for the next batch. `after` runs once the batch has
   * committed, before the promise resolves (e.g. to update in-memory state
   * only for what is really on disk).
   */
  submit<R>(write: () => R, after: (r: R) => void = () => {}): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ write, after, resolve, reject } as Job<unknown>);
      this.#schedule();
    });
  }

  /** Batches committed so far: one transaction each. */
  get commits(): number {
    return this.#commits;
  }

  /** Writes and commits everything queued so far, now. */
  flush(): void {
    while (this.#queue.length) this.#flushSome(Infinity);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every job already read from the sockets joins this batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flushSome(performance.now() + this.#sliceMs);
      if (this.#queue.length) this.#schedule();
    });
  }

  /**
   * Commits the jobs at the head of the queue that fit before `deadline` (at least one), so a storm
   * of 2,000 check-ins is a few transactions of about SLICE_MS each rather than one that holds the
   * event loop for 150 ms.
   */
  #flushSome(deadline: number): void {
    const outcomes: Outcome[] = [];
    try {
      if (!this.#whole(deadline, outcomes)) {
        outcomes.length = 0;
        this.#jobByJob(deadline, outcomes);
      }
    } catch (err) {
      // The commit failed: nothing of this batch was acked, so nothing acked is lost.
      this.#hooks.rolledBack?.();
      for (const job of this.#queue.splice(0, Math.max(1, outcomes.length))) job.reject(err);
      return;
    }
    const batch = this.#queue.splice(0, outcomes.length);
    this.#commits++;
    this.#hooks.committed?.();
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return job.reject(o.err);
      try {
        job.after(o.value);
      } finally {
        job.resolve(o.value);
      }
    });
  }

  /** The jobs from the head of the queue while time is left before `deadline`, at least one. */
  *#due(deadline: number, done: () => number): Generator<Job<unknown>> {
    for (const job of this.#queue) {
      if (done() > 0 && performance.now() > deadline) return;
      yield job;
    }
  }

  /**
   * The common case, every job succeeding, without a savepoint per job: two statements fewer per
   * ballot. False when a job threw: the whole batch was then rolled back, to be written again job by
   * job. Jobs only read and write the database, so running one twice is safe.
   */
  #whole(deadline: number, outcomes: Outcome[]): boolean {
    const failed = new Error('a job failed');
    try {
      this.#db.$client.transaction(() => {
        for (const job of this.#due(deadline, () => outcomes.length)) {
          try {
            outcomes.push({ ok: true, value: job.write() });
          } catch {
            throw failed;
          }
        }
      })();
    } catch (err) {
      if (err !== failed) throw err;
      this.#hooks.rolledBack?.();
      return false;
    }
    return true;
  }

  /** Each job in its own savepoint: a job that throws is rolled back alone and gets its own error. */
  #jobByJob(deadline: number, outcomes: Outcome[]): void {
    this.#db.$client.transaction(() => {
      for (const job of this.#due(deadline, () => outcomes.length)) {
        try {
          // Nested better-sqlite3 transactions are savepoints.
          outcomes.push({ ok: true, value: this.#inSavepoint(job.write) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
    })();
  }
}
