/**
 * A fair scheduler for socket command handlers.
 *
 * Node runs every ready socket's I/O callback in one poll phase: when 2,000 phones check in at
 * once, 2,000 handlers (each a SQLite write, an ack, a broadcast) would run back to back before
 * any timer fires, and the event loop would stall for seconds (heartbeats, coalesced broadcasts
 * and the media layer's timers all wait). So the realtime layer does only the cheap checks inline
 * and queues the handler call here; a drain loop runs queued jobs for at most `sliceMs`, then
 * yields with setImmediate so timers and I/O run between slices.
 *
 * Fairness: each key (a socket) has its own FIFO and the drain takes one job per key in turn, so
 * one socket's burst cannot hold the others back, while a socket's own commands run in the order
 * received. Jobs are synchronous calls: an async handler's awaited part runs outside the slice and
 * never holds the queue (a slow mediasoup call must not serialize everybody else's commands).
 *
 * Broadcasts too large for one slice (a presence flush writes to every phone of the meeting) are
 * cut into deferred jobs, which run ahead of every waiting command: all of one flush goes out
 * before any later command runs, so a join's snapshot cannot overtake the broadcast it supersedes.
 * A command pushed as `overtaking` (a ballot: neither its effect nor its answer depends on what a
 * broadcast says) may run between a broadcast's chunks instead, a few per chunk: a turnout push to
 * 2,000 phones writes for ~50 ms, and a ballot cast at its start waited all of it (the p99 of
 * bench-voting's casts spread over 5 s was that wait). Per-socket order still holds: a socket's
 * overtaking command waits behind its own earlier ordinary one.
 */

export interface CommandQueueOptions {
  /** Longest run of jobs before yielding to timers and I/O, in ms. */
  sliceMs?: number;
  /** Jobs waiting at most; past it, push() refuses so memory cannot grow without bound. */
  maxQueued?: number;
  /** Called when a job throws; the queue goes on with the next job. */
  onError?: (err: unknown) => void;
  /** Clock, for tests. */
  now?: () => number;
}

export interface CommandQueue {
  /**
   * Queues `job` behind `key`'s earlier jobs; `overtaking`: it may run between the chunks of a
   * broadcast queued before it. False when the queue is full or closed: the caller answers the refusal.
   */
  push(key: string, job: () => void, overtaking?: boolean): boolean;
  /** Queues `job` behind earlier deferred jobs and ahead of every command. Never refused (a broadcast is not dropped). */
  defer(job: () => void): void;
  /** Commands waiting (deferred jobs not counted). */
  readonly size: number;
  /** Runs every job still waiting, now, and refuses new ones (shutdown: accepted commands are carried out). */
  close(): void;
}

/**
 * At most this many overtaking commands run before each deferred chunk: a chunk writes to 100
 * sockets (a few ms), a ballot's handler only checks it and hands it to the group commit (tens of
 * µs), so a storm of ballots cannot hold a broadcast back for long.
 */
const OVERTAKE_PER_CHUNK = 20;

export function createCommandQueue(opts: CommandQueueOptions = {}): CommandQueue {
  const sliceMs = opts.sliceMs ?? 8;
  const maxQueued = opts.maxQueued ?? 20_000;
  const now = opts.now ?? (() => performance.now());
  const onError = opts.onError ?? (() => {});
  // Insertion order is the round-robin order: a key with more to do goes to the back after each job.
  const byKey = new Map<string, (() => void)[]>();
  /** Keys whose next job may overtake a broadcast, in turn order; and those jobs. */
  const ready = new Set<string>();
  const overtakers = new Set<() => void>();
  /** Overtaking commands run since the last deferred job. */
  let overtook = 0;
  let size = 0;
  const deferred: (() => void)[] = [];
  let scheduled = false;
  let closed = false;

  const pending = () => size + deferred.length;
  /** The next job of the key whose turn it is, among all keys or (`overtaking`) those in `ready`. */
  const takeCommand = (overtaking: boolean): (() => void) => {
    const key: string = overtaking ? ready.keys().next().value! : byKey.keys().next().value!;
    const jobs = byKey.get(key)!;
    const job = jobs.shift()!;
    byKey.delete(key);
    ready.delete(key);
    if (jobs.length) {
      byKey.set(key, jobs);
      if (overtakers.has(jobs[0]!)) ready.add(key);
    }
    overtakers.delete(job);
    size--;
    return job;
  };
  const take = (): (() => void) => {
    if (!deferred.length) return takeCommand(false);
    if (ready.size && overtook < OVERTAKE_PER_CHUNK) {
      overtook++;
      return takeCommand(true);
    }
    overtook = 0;
    return deferred.shift()!;
  };
  const runNow = (job: () => void) => {
    try {
      job();
    } catch (err) {
      onError(err);
    }
  };
  const runNext = () => runNow(take());
  const drain = (): void => {
    scheduled = false;
    if (pending() === 0) return; // close() ran everything meanwhile
    const end = now() + sliceMs;
    // At least one job per slice, however slow: otherwise a single slow job would never run.
    do runNext();
    while (pending() > 0 && now() < end);
    if (pending() > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };

  return {
    push(key, job, overtaking = false) {
      if (closed || size >= maxQueued) return false;
      if (overtaking) overtakers.add(job);
      const jobs = byKey.get(key);
      if (jobs) jobs.push(job);
      else {
        byKey.set(key, [job]);
        if (overtaking) ready.add(key);
      }
      size++;
      schedule();
      return true;
    },
    defer(job) {
      if (closed) return void runNow(job);
      deferred.push(job);
      schedule();
    },
    get size() {
      return size;
    },
    close() {
      closed = true;
      while (pending() > 0) runNext();
    },
  };
}
