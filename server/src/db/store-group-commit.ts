/**
 * Group commit on the async data layer (db/database.ts), for ballots and conference commands
 * (check-ins): the successor of group-commit.ts, which goes once its two callers are converted.
 *
 * Jobs queued within one event-loop turn are written in ONE transaction and settled together once
 * it has committed, so 2,000 simultaneous ballots cost a few commits instead of 2,000. An ack still
 * means durably written: on SQLite under the connection's unchanged durability setting (WAL,
 * synchronous=NORMAL: survives a process crash or kill -9), on PostgreSQL a committed transaction.
 * One batch is in flight at a time; what arrives meanwhile forms the next one.
 *
 * A job that throws (already voted, a reused ballot id, ...) is rolled back alone and gets its own
 * error; the others still commit: the batch is first written whole, and only when a job throws is
 * it written again with a savepoint per job (jobs only read and write the database, so running one
 * twice is safe). If the commit itself fails, every job of the batch is rejected: nothing was
 * acked, so nothing acked is lost.
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

class JobFailed extends Error {}

export class StoreGroupCommit {
  readonly #db: Database;
  readonly #hooks: GroupCommitHooks;
  readonly #sliceMs: number;
  #queue: Job<unknown>[] = [];
  #running: Promise<void> | null = null;
  #commits = 0;

  constructor(db: Database, hooks: GroupCommitHooks = {}, sliceMs = SLICE_MS) {
    this.#db = db;
    this.#hooks = hooks;
    this.#sliceMs = sliceMs;
  }

  /**
   * Queues `write` for the next batch. `after` runs once the batch has committed, before the
   * promise resolves (e.g. to update in-memory state only for what is really stored).
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

  /** Resolves once everything queued so far is written (or rejected). */
  async flush(): Promise<void> {
    while (this.#queue.length || this.#running) {
      this.#start(false);
      await this.#running;
    }
  }

  #start(defer: boolean): void {
    if (this.#running || !this.#queue.length) return;
    this.#running = (async () => {
      // setImmediate runs after this turn's I/O callbacks: every job already read from the sockets joins this batch.
      if (defer) await new Promise((r) => setImmediate(r));
      while (this.#queue.length) {
        await this.#batch();
        // On SQLite a batch settles in microtasks alone: without this, a storm's batches would run back
        // to back and hold the event loop as long as one batch of everything would.
        if (this.#queue.length) await new Promise((r) => setImmediate(r));
      }
    })().finally(() => {
      this.#running = null;
      // A job queued after the loop's last look, in the microtasks before this ran, found a run still
      // going and started none: start it now.
      this.#start(true);
    });
  }

  /**
   * Commits the jobs at the head of the queue that fit in one slice (at least one): a storm of 2,000
   * check-ins becomes a few transactions of about SLICE_MS each rather than one that holds the event
   * loop for 150 ms. The first pass takes jobs while the slice lasts; the second writes the same ones.
   */
  async #batch(): Promise<void> {
    const jobs: Job<unknown>[] = [];
    let outcomes: Outcome[];
    try {
      outcomes = await this.#whole(jobs).catch(async (err) => {
        if (!(err instanceof JobFailed)) throw err;
        this.#hooks.rolledBack?.();
        return this.#jobByJob(jobs);
      });
    } catch (err) {
      // The commit failed: nothing of this batch was acked, so nothing acked is lost. (Failing before
      // its first job, the transaction fails that one, so a broken database does not spin the loop.)
      this.#hooks.rolledBack?.();
      if (!jobs.length) jobs.push(this.#queue[0]!);
      this.#queue.splice(0, jobs.length);
      for (const job of jobs) job.reject(err);
      return;
    }
    this.#queue.splice(0, jobs.length);
    this.#commits++;
    this.#hooks.committed?.();
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (!o.ok) return job.reject(o.err);
      try {
        job.after(o.value);
      } finally {
        job.resolve(o.value);
      }
    });
  }

  /**
   * Jobs from the head of the queue, taken into `jobs`, in one transaction, no savepoints: the common
   * case. The slice is timed from the transaction's start, not from a wait for the connection before
   * it. Throws JobFailed when one job threw; `jobs` then ends with that one.
   */
  #whole(jobs: Job<unknown>[]): Promise<Outcome[]> {
    return this.#db.tx(async (s) => {
      const deadline = performance.now() + this.#sliceMs;
      const outcomes: Outcome[] = [];
      for (const job of this.#queue) {
        if (jobs.length && performance.now() > deadline) break;
        jobs.push(job);
        try {
          outcomes.push({ ok: true, value: await job.write(s) });
        } catch {
          throw new JobFailed();
        }
      }
      return outcomes;
    });
  }

  /** Each job in its own savepoint: a job that throws is rolled back alone and gets its own error. */
  #jobByJob(jobs: Job<unknown>[]): Promise<Outcome[]> {
    return this.#db.tx(async (s) => {
      const outcomes: Outcome[] = [];
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: await savepoint(s, job.write) });
        } catch (err) {
          outcomes.push({ ok: false, err });
        }
      }
      return outcomes;
    });
  }
}
