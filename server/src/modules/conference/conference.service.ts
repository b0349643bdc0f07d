/**
 * Runs conference commands: take the meeting's state, apply the pure machine,
 * persist what changed + floor log + meeting status in one transaction, and
 * only then hand the resulting broadcasts back. Also re-arms speech expiry
 * timers, which live in memory but are derived from persisted timestamps (conference.expiry.ts).
 *
 * The state of recent meetings is kept in memory, taken as committed: it is
 * replaced only after the transaction that wrote it commits, and re-read from
 * the database after a restart, so it holds nothing the database does not.
 * The roster is re-read only when the roster epoch moved (presence.repo.ts).
 * The service's transactions run one at a time (`serially`), so none builds on
 * a state another is still writing, and each one's broadcasts go out before the
 * next begins, in commit order.
 *
 * On a cluster (issue 12) one node owns each live meeting through a lease (plugins/lease.ts) and
 * every command of the meeting runs there (forwarded by the others), so this cache and the expiry
 * timers are kept only by the owner (`owns`): another node reads the database, shows a catch-up
 * without writing it, and arms nothing. When the owner dies, the node that takes the meeting over
 * re-reads it and re-arms its timer (`adopt`).
 */
import { Mutex } from 'async-mutex';
import { LRUCache } from 'lru-cache';
import type { AgendaItem, FloorView, MeetingStatus } from '@diemcau/shared';
import { txMemo, type Store } from '../../db/database.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { listAgenda } from '../agenda/agenda.repo.ts';
import { getMeetingOr404 } from '../meetings/meetings.access.ts';
import {
  applyCommand,
  reconcile,
  tick,
  type Actor,
  type ConferenceCommand,
  type ConferenceEvent,
  type ConferenceState,
} from './conference.machine.ts';
import { toAppError, type AfterCommit, type Applied, type ConferenceServiceDeps, type ConferenceSnapshot, type Kept, type MeetingReads, type SubmitOptions } from './conference.types.ts';
import { createExpiryTimers, type ExpiryTimers } from './conference.expiry.ts';
import { writeOutcome } from './conference.persist.ts';
import * as repo from './conference.repo.ts';
import * as store from './presence.repo.ts';
import { agendaView, presenceTouched, toBroadcasts } from './conference.views.ts';
import { floorView } from './floor.machine.ts';
import { syncRoster } from './presence.machine.ts';

/** Where a transaction remembers what its commands read of a meeting besides the state (`current`). */
const readsKey = (meetingId: number) => `conference-reads:${meetingId}`;

export type ConferenceService = ReturnType<typeof createConferenceService>;

/** The agenda for the broadcasts of `events`, read in their transaction; null when none shows it (a check-in). */
const agendaFor = async (s: Store, meetingId: number, events: readonly ConferenceEvent[]) =>
  events.some((e) => e.type === 'agenda:changed' || e.type === 'timer:changed') ? listAgenda(s, meetingId) : null;

/** Meetings whose state stays in memory; a meeting is rarely live alongside more than a few others. */
const CACHED_MEETINGS = 64;

export function createConferenceService({ database, log, publish, now: clock = Date.now, owns = () => true, holds = owns }: ConferenceServiceDeps) {
  const expiry: ExpiryTimers = createExpiryTimers({ database, log, now: clock, owns, holds, expire, read });
  const cache = new LRUCache<number, Kept>({ max: CACHED_MEETINGS });
  const serial = new Mutex();
  // The group commit's open batch: the states its later jobs build on, and its commands to broadcast,
  // both kept only once the batch has committed.
  const pending = new Map<number, Kept>();
  const batched: { meetingId: number; sent: AfterCommit }[] = [];
  const batches = new GroupCommit({
    ...database,
    tx: (fn) =>
      serially(
        fn,
        () => {
          for (const [id, k] of pending) cache.set(id, k);
          const out = batched.splice(0);
          pending.clear();
          for (const { meetingId, sent } of out) {
            try {
              sent();
            } catch (err) {
              // Committed already: the command is acked, and members catch up at their next snapshot.
              log.error({ err, meetingId }, 'conference broadcast failed');
            }
          }
        },
        () => {
          pending.clear();
          batched.length = 0;
        },
      ),
  });

  /**
   * Runs `fn` in a transaction, one at a time on this node: the in-memory state a transaction builds
   * on is never one another transaction is still writing (on PostgreSQL nothing else would order
   * them). `kept` runs once it has committed, `dropped` once it has rolled back, before the next starts.
   */
  function serially<T>(fn: (s: Store) => Promise<T>, kept: (r: T) => void, dropped: () => void = () => {}): Promise<T> {
    return serial.runExclusive(async () => {
      let r: T;
      try {
        r = await database.tx(fn);
      } catch (err) {
        dropped();
        throw err;
      }
      kept(r);
      return r;
    });
  }

  /** Runs `fn` in a transaction and, once it has committed, keeps the state it ends with; then `then`. */
  function committed<T extends Kept>(meetingId: number, fn: (s: Store) => Promise<T>, then: (r: T) => void): Promise<T> {
    return serially(fn, (r) => {
      // Not ours (cluster): the owner may change the meeting at any moment, so nothing is kept.
      if (owns(meetingId)) cache.set(meetingId, { state: r.state, epoch: r.epoch });
      else cache.delete(meetingId);
      then(r);
    });
  }

  /**
   * The state as it stands: stored (or fresh), aligned with the invitations
   * and with a status change made over HTTP. Call inside a transaction; the
   * catch-up, if any, is persisted with it and returned for broadcasting.
   */
  async function current(s: Store, meetingId: number, at: number) {
    // Remembered by the transaction (txMemo): in one transaction nothing but this service's own status
    // change (which forgets them) writes them, so a batch of 2,000 check-ins reads them once.
    const memo = txMemo(s);
    let reads = memo?.get(readsKey(meetingId)) as MeetingReads | undefined;
    if (!reads) {
      reads = { meeting: await getMeetingOr404(s, meetingId), items: await repo.loadAgendaRefs(s, meetingId), epoch: await store.rosterEpoch(s) };
      memo?.set(readsKey(meetingId), reads);
    }
    const { meeting, items, epoch } = reads;
    const hit = pending.get(meetingId) ?? cache.get(meetingId);
    const stored = hit?.state ?? (await store.loadState(s, meetingId, meeting.status));
    const synced: ConferenceState =
      hit?.epoch === epoch ? stored : { ...stored, presence: syncRoster(stored.presence, await repo.loadRoster(s, meetingId)) };
    const { state, events } = reconcile(synced, meeting.status, items, at);
    // Only the owner writes the catch-up (and broadcasts it): another node just shows it.
    if (events.length && owns(meetingId)) await persist(s, meetingId, meeting.status, state, events, null, at);
    return { meeting, state, items, caughtUp: events, epoch };
  }

  /** Writes a command's outcome (conference.persist.ts); a changed meeting row is read again by the transaction's next command. */
  async function persist(s: Store, meetingId: number, rowStatus: MeetingStatus, state: ConferenceState, events: readonly ConferenceEvent[], actorUserId: number | null, at: number) {
    if (await writeOutcome(s, meetingId, rowStatus, state, events, actorUserId, at)) txMemo(s)?.delete(readsKey(meetingId));
  }

  /** Reads the state in a transaction, broadcasting a catch-up it had to make. */
  function read(meetingId: number) {
    return committed(
      meetingId,
      // Timed in the transaction, as every command: they apply in the order of their times.
      async (s) => {
        const at = clock();
        const r = await current(s, meetingId, at);
        return { ...r, at, agenda: await agendaFor(s, meetingId, r.caughtUp) };
      },
      (r) => {
        if (!r.caughtUp.length || !owns(meetingId)) return;
        broadcastsOf(meetingId, r.state, r.caughtUp, r.at, r.agenda)();
        expiry.arm(meetingId, r.state);
      },
    );
  }

  /** The broadcasts of `events`, built now from `state`, sent when the returned function runs. */
  function broadcastsOf(meetingId: number, state: ConferenceState, events: readonly ConferenceEvent[], at: number, agenda: readonly AgendaItem[] | null | undefined): AfterCommit {
    if (events.length === 0) return () => {};
    const out = toBroadcasts(meetingId, state, events, () => agenda ?? [], at);
    const touched = presenceTouched(events);
    return () => publish(meetingId, out, touched);
  }

  /** Ends the speech that is due (conference.expiry.ts) and re-arms the timer from what it committed. */
  function expire(meetingId: number): Promise<unknown> {
    return committed(
      meetingId,
      async (s) => {
        const at = clock();
        const { meeting, state, caughtUp, epoch } = await current(s, meetingId, at);
        const t = tick(state, at);
        if (t.events.length) await persist(s, meetingId, meeting.status, t.state, t.events, null, at);
        const events = [...caughtUp, ...t.events];
        return { state: t.state, events, at, epoch, agenda: await agendaFor(s, meetingId, events) };
      },
      (res) => {
        broadcastsOf(meetingId, res.state, res.events, res.at, res.agenda)();
        expiry.arm(meetingId, res.state);
      },
    );
  }

  /** Runs a command against the current state and persists its events, in the transaction of `s`; `when` may decline it. */
  async function apply(s: Store, meetingId: number, actor: Actor, cmd: ConferenceCommand, at: number, when?: (state: ConferenceState) => boolean) {
    const { meeting, state, items, caughtUp, epoch } = await current(s, meetingId, at);
    if (when && !when(state)) return { state, events: caughtUp, at, epoch, agenda: await agendaFor(s, meetingId, caughtUp) };
    const r = applyCommand(state, cmd, { now: at, actor, items });
    // A refusal rolls back the catch-up too, and keeps nothing in memory; the next read redoes it.
    if (!r.ok) throw toAppError(r.error);
    if (r.events.length) await persist(s, meetingId, meeting.status, r.state, r.events, actor.role === 'system' ? null : actor.userId, at);
    const events = [...caughtUp, ...r.events];
    return { state: r.state, events, at, epoch, agenda: await agendaFor(s, meetingId, events) };
  }

  /**
   * What to do once a command has committed: its broadcasts, and the speech timer when the floor
   * changed. Built now, so a group-committed batch holds them, not every command's whole state
   * (2,000 check-ins held 2,000 copies of the delegate list until the commit, and the garbage
   * collector copied them about: 40% of a storm's CPU).
   */
  function afterCommit(meetingId: number, res: Applied): AfterCommit {
    const send = broadcastsOf(meetingId, res.state, res.events, res.at, res.agenda);
    const floorState = res.events.some((e) => e.type.startsWith('floor:')) ? res.state : null;
    return () => {
      send();
      if (floorState) expiry.arm(meetingId, floorState);
    };
  }

  return {
    /**
     * Applies one command, unless `when`, given the current state in the same transaction, declines it.
     * Rejects with an AppError when refused; when it resolves, the change is durable.
     */
    execute(meetingId: number, actor: Actor, cmd: ConferenceCommand, when?: (s: ConferenceState) => boolean): Promise<Applied> {
      return committed(meetingId, (s) => apply(s, meetingId, actor, cmd, clock(), when), (res) => afterCommit(meetingId, res)());
    },

    /**
     * Applies one command in a group commit with the other commands of this event-loop turn: a
     * check-in storm of 2,000 phones costs a few transactions, not 2,000. Resolves once the command
     * is durable, rejects with an AppError when refused. `check` runs in the batch, just before it.
     */
    submit<V = Applied>(meetingId: number, actor: Actor, cmd: ConferenceCommand, opts: SubmitOptions<V> = {}): Promise<V> {
      const view = opts.view ?? ((r: Applied) => r as V);
      return batches.submit(async (s) => {
        opts.check?.();
        const r = await apply(s, meetingId, actor, cmd, clock());
        // Answer and broadcasts first: one that throws refuses the command before the batch keeps its state.
        const answer = view(r);
        const sent = afterCommit(meetingId, r);
        pending.set(meetingId, { state: r.state, epoch: r.epoch });
        batched.push({ meetingId, sent });
        return answer;
      });
    },

    /** Transactions the group commit has made (benchmarks and tests). */
    groupCommits: () => batches.commits,

    /** Current state, read-only (for views and hooks). Takes a transaction of its own: never call it inside one. */
    state: async (meetingId: number) => (await read(meetingId)).state,

    async snapshot(meetingId: number): Promise<ConferenceSnapshot> {
      const { meeting, state, at } = await read(meetingId);
      const items: AgendaItem[] = await database.run((s) => listAgenda(s, meetingId));
      return {
        meeting,
        agenda: agendaView(state, items, at),
        presence: state.presence,
        floor: floorView(state.floor, at) satisfies FloorView,
        version: state.version,
      };
    },

    /** After a restart: re-arm the expiry of every speech that was running (conference.expiry.ts). */
    resume: expiry.resume,

    /** Meetings with a speech running, whose expiry needs an owner even when nobody sends a command. */
    speaking: expiry.speaking,

    /** This node took the meeting over (lease.ts): re-read it, whatever another node wrote, and re-arm its speech timer. */
    async adopt(meetingId: number) {
      cache.delete(meetingId);
      expiry.arm(meetingId, (await read(meetingId)).state);
    },

    /** This node lost the meeting to another: forget its state and its timer. */
    drop(meetingId: number) {
      cache.delete(meetingId);
      expiry.disarm(meetingId);
    },

    async close() {
      // Commands already queued are written, and transactions already begun end, before the database closes.
      await batches.flush();
      await serial.runExclusive(async () => {});
      expiry.close();
      cache.clear();
    },
  };
}
