/**
 * Runs conference commands: take the meeting's state, apply the pure machine,
 * persist what changed + floor log + meeting status in one transaction, and
 * only then hand the resulting broadcasts back. Also re-arms speech expiry
 * timers, which live in memory but are derived from persisted timestamps.
 *
 * The state of recent meetings is kept in memory, taken as committed: it is
 * replaced only after the transaction that wrote it commits, and re-read from
 * the database after a restart, so it holds nothing the database does not.
 * The roster is re-read only when the roster epoch moved (presence.repo.ts).
 *
 * On a cluster (issue 12) one node owns each live meeting through a lease (plugins/lease.ts) and
 * every command of the meeting runs there (forwarded by the others), so this cache and the expiry
 * timers are kept only by the owner (`owns`): another node reads the database, shows a catch-up
 * without writing it, and arms nothing. When the owner dies, the node that takes the meeting over
 * re-reads it and re-arms its timer (`adopt`).
 */
import { LRUCache } from 'lru-cache';
import type { FastifyBaseLogger } from 'fastify';
import type { AgendaItem, ErrorCode, FloorView, MeetingStatus, Snapshot } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { GroupCommit } from '../../db/group-commit.ts';
import { AppError } from '../../lib/app-error.ts';
import { writeAudit, type AuditEvent } from '../../plugins/audit.ts';
import { listAgenda } from '../agenda/agenda.sync.ts';
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
import * as repo from './conference.repo.ts';
import * as store from './presence.repo.ts';
import { agendaView, presenceTouched, toBroadcasts, type Outgoing } from './conference.views.ts';
import { floorView, nextExpiry, type FloorEvent } from './floor.machine.ts';
import { syncRoster, type PresenceState } from './presence.machine.ts';
import type { DomainError } from './result.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  FORBIDDEN: 403,
  NOT_MEMBER: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  MEETING_NOT_LIVE: 409,
};
/**
 * Audit entries for the privileged actions among a command's events: granting
 * and revoking the floor (an expiry or item change is the server's, actor null)
 * and opening, answering and closing a roll-call.
 */
export function auditEntries(meetingId: number, events: readonly ConferenceEvent[], actorUserId: number | null): AuditEvent[] {
  const out: AuditEvent[] = [];
  const entry = (action: string, details: Record<string, unknown>, by = actorUserId) =>
    out.push({ actorUserId: by, action, targetType: 'meeting', targetId: meetingId, details });
  for (const e of events) {
    if (e.type === 'floor:granted') {
      entry('floor.grant', { requestId: e.speaker.id, userId: e.speaker.userId, bridgePointId: e.speaker.bridgePointId, limitMs: e.speaker.limitMs, at: e.at }, e.by);
    } else if (e.type === 'floor:revoked') {
      entry('floor.revoke', { requestId: e.speaker.id, userId: e.speaker.userId, bridgePointId: e.speaker.bridgePointId, reason: e.reason, at: e.at }, e.by);
    } else if (e.type === 'rollcall:started') {
      entry('rollcall.open', { rollCallId: e.rollCallId });
    } else if (e.type === 'rollcall:confirmed') {
      entry('rollcall.answer', { rollCallId: e.rollCallId, bridgePointId: e.bridgePointId });
    } else if (e.type === 'rollcall:closed') {
      entry('rollcall.close', { rollCallId: e.rollCallId });
    }
  }
  return out;
}

export const toAppError = (e: DomainError) => new AppError(e.code, STATUS[e.code] ?? 400, e.message);

export interface ConferenceServiceDeps {
  db: Db;
  log: FastifyBaseLogger;
  /** Sends broadcasts to the meeting's room; `presence` names the bridges and delegates whose presence changed. */
  publish: (meetingId: number, out: readonly Outgoing[], presence: { bridges: number[]; delegates: number[] }) => void;
  now?: () => number;
  /** Whether this node runs the meeting (its lease, on a cluster); always on a single node. */
  owns?: (meetingId: number) => boolean;
  /** Whether it holds the meeting though its lease's renewal is late (plugins/lease.ts): a due expiry then waits. */
  holds?: (meetingId: number) => boolean;
}

/** How soon an expiry due while the lease's renewal was late looks again. */
const LAPSED_RETRY_MS = 250;

/** The parts of the join snapshot this feature owns; presence raw, each member gets the part their role shows (presence.fanout.ts). */
export type ConferenceSnapshot = Pick<Snapshot, 'meeting' | 'agenda' | 'floor'> & { presence: PresenceState; version: number };

export type ConferenceService = ReturnType<typeof createConferenceService>;

/** A command's outcome once committed. */
export interface Applied {
  state: ConferenceState;
  events: ConferenceEvent[];
  at: number;
}

/** Meetings whose state stays in memory; a meeting is rarely live alongside more than a few others. */
const CACHED_MEETINGS = 64;

export function createConferenceService({ db, log, publish, now: clock = Date.now, owns = () => true, holds = owns }: ConferenceServiceDeps) {
  const expiryTimers = new Map<number, NodeJS.Timeout>();
  const inTransaction = db.$client.transaction(<T>(fn: () => T): T => fn()) as <T>(fn: () => T) => T;
  const cache = new LRUCache<number, { state: ConferenceState; epoch: number }>({ max: CACHED_MEETINGS });
  // States written by the group commit's open batch: its later jobs build on them, and they are kept
  // only once the batch has committed.
  const pending = new Map<number, { state: ConferenceState; epoch: number }>();
  const batches = new GroupCommit(db, {
    committed: () => {
      for (const [id, s] of pending) cache.set(id, s);
      pending.clear();
    },
    rolledBack: () => pending.clear(),
  });
  let closed = false;

  /**
   * Runs `fn` in a transaction and, once it has committed, keeps the state it
   * ends with. Inside someone else's transaction (which may still roll back)
   * nothing is kept; the next call reads the database again.
   */
  function committed<T extends { state: ConferenceState; epoch: number }>(meetingId: number, fn: () => T): T {
    const nested = db.$client.inTransaction;
    // better-sqlite3's own transaction (a savepoint when nested): every write below goes through `db`, the same connection.
    const r = inTransaction(fn);
    // Not ours (cluster): the owner may change the meeting at any moment, so nothing is kept.
    if (nested || !owns(meetingId)) cache.delete(meetingId);
    else cache.set(meetingId, { state: r.state, epoch: r.epoch });
    return r;
  }

  /**
   * The state as it stands: stored (or fresh), aligned with the invitations
   * and with a status change made over HTTP. Call inside a transaction; the
   * catch-up, if any, is persisted with it and returned for broadcasting.
   */
  function current(meetingId: number, at: number) {
    const meeting = getMeetingOr404(db, meetingId);
    const items = repo.loadAgendaRefs(db, meetingId);
    const epoch = store.rosterEpoch(db);
    const hit = pending.get(meetingId) ?? cache.get(meetingId);
    const stored = hit?.state ?? store.loadState(db, meetingId, meeting.status);
    const synced: ConferenceState =
      hit?.epoch === epoch ? stored : { ...stored, presence: syncRoster(stored.presence, repo.loadRoster(db, meetingId)) };
    const { state, events } = reconcile(synced, meeting.status, items, at);
    // Only the owner writes the catch-up (and broadcasts it): another node just shows it.
    if (events.length && owns(meetingId)) persist(meetingId, meeting.status, state, events, null, at);
    return { meeting, state, items, caughtUp: events, epoch };
  }

  function persist(
    meetingId: number,
    rowStatus: MeetingStatus,
    state: ConferenceState,
    events: readonly ConferenceEvent[],
    actorUserId: number | null,
    at: number,
  ) {
    store.saveChanges(db, meetingId, state, events, at);
    repo.appendFloorLog(db, meetingId, events.filter((e): e is FloorEvent => e.type.startsWith('floor:')));
    // Privileged room actions are audited in the transaction that makes them, so neither exists without the other.
    for (const a of auditEntries(meetingId, events, actorUserId)) writeAudit(db, a);
    for (const e of events) {
      // The machine checked canTransitionMeeting against this row's status inside this transaction;
      // a change that came from the meetings API is already in the row.
      if (e.type !== 'meeting:started' && e.type !== 'meeting:ended') continue;
      const status = e.type === 'meeting:started' ? 'live' : 'ended';
      if (rowStatus === status || (status === 'ended' && rowStatus !== 'live')) continue;
      repo.setMeetingStatus(db, meetingId, status);
      writeAudit(db, { actorUserId, action: `meeting.${status === 'live' ? 'start' : 'end'}`, targetType: 'meeting', targetId: meetingId, details: { at: e.at } });
    }
  }

  /** Reads the state in a transaction, broadcasting a catch-up it had to make. */
  function read(meetingId: number) {
    const at = clock();
    const r = committed(meetingId, () => current(meetingId, at));
    if (r.caughtUp.length && owns(meetingId)) {
      broadcast(meetingId, r.state, r.caughtUp, at);
      arm(meetingId, r.state);
    }
    return { ...r, at };
  }

  function broadcast(meetingId: number, state: ConferenceState, events: readonly ConferenceEvent[], at: number) {
    if (events.length === 0) return;
    publish(meetingId, toBroadcasts(meetingId, state, events, () => listAgenda(db, meetingId), at), presenceTouched(events));
  }

  /** Schedules the end of the current speech, if any. */
  function arm(meetingId: number, state: ConferenceState) {
    clearTimeout(expiryTimers.get(meetingId));
    expiryTimers.delete(meetingId);
    const due = nextExpiry(state.floor);
    if (due === null || closed || !owns(meetingId)) return;
    const t = setTimeout(() => expireNow(meetingId), Math.max(0, due - clock()) + 5);
    t.unref();
    expiryTimers.set(meetingId, t);
  }

  function expireNow(meetingId: number) {
    expiryTimers.delete(meetingId);
    if (closed) return;
    // Fencing: a node whose lease lapsed leaves the expiry to the node that takes the meeting over,
    // unless the lease is still ours and only its renewal is late.
    if (!owns(meetingId)) {
      if (!holds(meetingId)) return;
      const t = setTimeout(() => expireNow(meetingId), LAPSED_RETRY_MS);
      t.unref();
      return void expiryTimers.set(meetingId, t);
    }
    try {
      const at = clock();
      const res = committed(meetingId, () => {
        const { meeting, state, caughtUp, epoch } = current(meetingId, at);
        const t = tick(state, at);
        if (t.events.length) persist(meetingId, meeting.status, t.state, t.events, null, at);
        return { state: t.state, events: [...caughtUp, ...t.events], epoch };
      });
      broadcast(meetingId, res.state, res.events, at);
      arm(meetingId, res.state);
    } catch (err) {
      log.error({ err, meetingId }, 'floor expiry failed');
    }
  }

  /** Runs a command against the current state and persists its events; call inside a transaction. */
  function apply(meetingId: number, actor: Actor, cmd: ConferenceCommand, at: number) {
    const { meeting, state, items, caughtUp, epoch } = current(meetingId, at);
    const r = applyCommand(state, cmd, { now: at, actor, items });
    // A refusal rolls back the catch-up too, and keeps nothing in memory; the next read redoes it.
    if (!r.ok) throw toAppError(r.error);
    if (r.events.length) persist(meetingId, meeting.status, r.state, r.events, actor.role === 'system' ? null : actor.userId, at);
    return { state: r.state, events: [...caughtUp, ...r.events], at, epoch };
  }

  /** After a command committed: its broadcasts, and the speech timer when the floor changed. */
  function done(meetingId: number, res: Applied) {
    broadcast(meetingId, res.state, res.events, res.at);
    if (res.events.some((e) => e.type.startsWith('floor:'))) arm(meetingId, res.state);
  }

  return {
    /** Applies one command. Throws AppError when refused; when it returns, the change is durable. */
    execute(meetingId: number, actor: Actor, cmd: ConferenceCommand): Applied {
      const at = clock();
      const res = committed(meetingId, () => apply(meetingId, actor, cmd, at));
      done(meetingId, res);
      return res;
    },

    /**
     * Applies one command in a group commit with the other commands of this event-loop turn: a
     * check-in storm of 2,000 phones costs a few transactions, not 2,000. Resolves once the command
     * is durable, rejects with an AppError when refused. `check` runs in the batch, just before it.
     */
    submit(meetingId: number, actor: Actor, cmd: ConferenceCommand, check?: () => void): Promise<Applied> {
      return batches.submit(
        () => {
          check?.();
          const r = apply(meetingId, actor, cmd, clock());
          pending.set(meetingId, { state: r.state, epoch: r.epoch });
          return r;
        },
        (r) => done(meetingId, r),
      );
    },

    /** Transactions the group commit has made (benchmarks and tests). */
    groupCommits: () => batches.commits,

    /** Current state, read-only (for views and hooks). */
    state: (meetingId: number) => read(meetingId).state,

    snapshot(meetingId: number): ConferenceSnapshot {
      const { meeting, state, at } = read(meetingId);
      const items: AgendaItem[] = listAgenda(db, meetingId);
      return {
        meeting,
        agenda: agendaView(state, items, at),
        presence: state.presence,
        floor: floorView(state.floor, at) satisfies FloorView,
        version: state.version,
      };
    },

    /** After a restart: re-arm the expiry of every speech that was running. */
    resume() {
      for (const id of repo.meetingsWithSpeaker(db)) {
        try {
          arm(id, read(id).state);
        } catch (err) {
          log.warn({ err, meetingId: id }, 'could not re-arm floor expiry');
        }
      }
    },

    /** Meetings with a speech running, whose expiry needs an owner even when nobody sends a command. */
    speaking: (): number[] => repo.meetingsWithSpeaker(db),

    /** This node took the meeting over (lease.ts): re-read it, whatever another node wrote, and re-arm its speech timer. */
    adopt(meetingId: number) {
      cache.delete(meetingId);
      arm(meetingId, read(meetingId).state);
    },

    /** This node lost the meeting to another: forget its state and its timer. */
    drop(meetingId: number) {
      cache.delete(meetingId);
      clearTimeout(expiryTimers.get(meetingId));
      expiryTimers.delete(meetingId);
    },

    close() {
      // Commands already queued are written before the database closes.
      batches.flush();
      closed = true;
      cache.clear();
      for (const t of expiryTimers.values()) clearTimeout(t);
      expiryTimers.clear();
    },
  };
}
