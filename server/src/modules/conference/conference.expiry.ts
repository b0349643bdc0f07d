/**
 * The conference service's speech expiry timers (conference.service.ts): in memory, but derived
 * from the persisted floor, so a restart (`resume`) or a takeover re-arms them from the database.
 * Only the node that owns the meeting arms one (its lease, on a cluster). Apart from the service so
 * that it stays about running commands; the expiry itself is one of them (`expire`).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../db/database.ts';
import type { ConferenceState } from './conference.machine.ts';
import * as repo from './conference.repo.ts';
import { nextExpiry } from './floor.machine.ts';

/** How soon an expiry due while the lease's renewal was late looks again. */
const LAPSED_RETRY_MS = 250;

export interface ExpiryDeps {
  database: Database;
  log: FastifyBaseLogger;
  now: () => number;
  /** Whether this node runs the meeting (conference.types.ts). */
  owns: (meetingId: number) => boolean;
  /** Whether it holds the meeting though its lease's renewal is late. */
  holds: (meetingId: number) => boolean;
  /** Ends the speech that is due, in a transaction of its own; re-arms from what it committed. */
  expire: (meetingId: number) => Promise<unknown>;
  /** Reads the meeting's state in a transaction of its own. */
  read: (meetingId: number) => Promise<{ state: ConferenceState }>;
}

export type ExpiryTimers = ReturnType<typeof createExpiryTimers>;

export function createExpiryTimers({ database, log, now, owns, holds, expire, read }: ExpiryDeps) {
  const expiryTimers = new Map<number, NodeJS.Timeout>();
  let closed = false;

  /** Forgets the meeting's timer, if any. */
  function disarm(meetingId: number) {
    clearTimeout(expiryTimers.get(meetingId));
    expiryTimers.delete(meetingId);
  }

  /** Schedules the end of the current speech, if any. */
  function arm(meetingId: number, state: ConferenceState) {
    disarm(meetingId);
    const due = nextExpiry(state.floor);
    if (due === null || closed || !owns(meetingId)) return;
    const t = setTimeout(() => void expireNow(meetingId), Math.max(0, due - now()) + 5);
    t.unref();
    expiryTimers.set(meetingId, t);
  }

  async function expireNow(meetingId: number) {
    expiryTimers.delete(meetingId);
    if (closed) return;
    // Fencing: a node whose lease lapsed leaves the expiry to the node that takes the meeting over,
    // unless the lease is still ours and only its renewal is late.
    if (!owns(meetingId)) {
      if (!holds(meetingId)) return;
      const t = setTimeout(() => void expireNow(meetingId), LAPSED_RETRY_MS);
      t.unref();
      return void expiryTimers.set(meetingId, t);
    }
    try {
      await expire(meetingId);
    } catch (err) {
      log.error({ err, meetingId }, 'floor expiry failed');
    }
  }

  return {
    arm,
    disarm,

    /** After a restart: re-arm the expiry of every speech that was running. */
    async resume() {
      for (const id of await database.run(repo.meetingsWithSpeaker)) {
        try {
          arm(id, (await read(id)).state);
        } catch (err) {
          log.warn({ err, meetingId: id }, 'could not re-arm floor expiry');
        }
      }
    },

    /** Meetings with a speech running, whose expiry needs an owner even when nobody sends a command. */
    speaking: (): Promise<number[]> => database.run(repo.meetingsWithSpeaker),

    /** No timer is armed any more: the database is closing. */
    close() {
      closed = true;
      for (const t of expiryTimers.values()) clearTimeout(t);
      expiryTimers.clear();
    },
  };
}
