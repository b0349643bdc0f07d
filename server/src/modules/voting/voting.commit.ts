/**
 * Group commit for ballots. Casts that arrive within one event-loop turn are
 * written in ONE SQLite transaction (one WAL append) and acked together once
 * it has committed, so 2,000 simultaneous ballots cost a few commits instead
 * of 2,000. An ack means exactly what it meant before: committed under the
 * connection's unchanged durability setting (db/index.ts: WAL with
 * synchronous=NORMAL, which survives a process crash or kill -9; FULL would
 * add an fsync per commit against power loss, and would now cost one fsync
 * per batch rather than per ballot if it is ever wanted).
 *
 * Each job runs in its own savepoint: a job that throws (already voted, a
 * reused ballot id, ...) is rolled back alone and gets its own error, and the
 * others in the batch still commit. If the commit itself fails, every job of
 * the batch is rejected: nothing was acked, so nothing acked is lost.
 */
import type { Db } from '../../db/index.ts';

interface Job<R> {
  write: () => R;
  after: (r: R) => void;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

export class GroupCommit {
  readonly #db: Db;
  #queue: Job<unknown>[] = [];
  #scheduled = false;

  /** Runs a job in a savepoint; made once (better-sqlite3 builds a wrapper per `transaction()` call, ~30 µs). */
  readonly #inSavepoint: (write: () => unknown) => unknown;

  constructor(db: Db) {
    this.#db = db;
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
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after the I/O callbacks of this turn: every cast
        // already read from the sockets joins this batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes and commits everything queued so far. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const sqlite = this.#db.$client;
    const outcomes: Outcome[] = [];
    try {
      sqlite.transaction(() => {
        for (const job of batch) {
          try {
            // Nested better-sqlite3 transactions are savepoints.
            outcomes.push({ ok: true, value: this.#inSavepoint(job.write) });
          } catch (err) {
            outcomes.push({ ok: false, err });
          }
        }
      })();
    } catch (err) {
      for (const job of batch) job.reject(err);
      return;
    }
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
}
