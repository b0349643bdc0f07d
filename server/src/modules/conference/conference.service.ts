/**
 * Runs conference commands: load the meeting's state, apply the pure machine,
 * persist state + floor log + meeting status in one transaction, and only then
 * hand the resulting broadcasts back. Also re-arms speech expiry timers, which
 * live in memory but are derived from persisted timestamps.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AgendaItem, ErrorCode, FloorView, Snapshot, YouView } from '@diemcau/shared';
import type { Db } from '../../db/index.ts';
import { AppError } from '../../lib/app-error.ts';
import { writeAudit } from '../../plugins/audit.ts';
import { listAgenda } from '../agenda/agenda.repo.ts';
import { getMeetingOr404 } from '../meetings/meetings.access.ts';
import { withStatus } from './agenda.machine.ts';
import {
  applyCommand,
  initialConference,
  tick,
  type Actor,
  type ConferenceCommand,
  type ConferenceEvent,
  type ConferenceState,
} from './conference.machine.ts';
import * as repo from './conference.repo.ts';
import { agendaView, presenceView, toBroadcasts, type Outgoing } from './conference.views.ts';
import { floorView, nextExpiry, type FloorEvent } from './floor.machine.ts';
import { syncRoster } from './presence.machine.ts';
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
export const toAppError = (e: DomainError) => new AppError(e.code, STATUS[e.code] ?? 400, e.message);

export interface ConferenceServiceDeps {
  db: Db;
  log: FastifyBaseLogger;
  /** Sends broadcasts to the meeting's room. */
  publish: (meetingId: number, out: readonly Outgoing[]) => void;
  now?: () => number;
}

/** The parts of the join snapshot this feature owns. */
export type ConferenceSnapshot = Pick<Snapshot, 'meeting' | 'agenda' | 'presence' | 'floor'> & { version: number };

export type ConferenceService = ReturnType<typeof createConferenceService>;

export function createConferenceService({ db, log, publish, now: clock = Date.now }: ConferenceServiceDeps) {
  const expiryTimers = new Map<number, NodeJS.Timeout>();
  let closed = false;

  /** The state as it stands: stored (or fresh), aligned with the meeting's status and invitations. */
  function current(meetingId: number) {
    const meeting = getMeetingOr404(db, meetingId);
    const stored = repo.loadState(db, meetingId) ?? initialConference(meeting.status);
    const state: ConferenceState = {
      ...stored,
      agenda: withStatus(stored.agenda, meeting.status),
      presence: syncRoster(stored.presence, repo.loadRoster(db, meetingId)),
    };
    return { meeting, state };
  }

  function persist(meetingId: number, state: ConferenceState, events: readonly ConferenceEvent[], actorUserId: number | null, at: number) {
    repo.saveState(db, meetingId, state, at);
    repo.appendFloorLog(db, meetingId, events.filter((e): e is FloorEvent => e.type.startsWith('floor:')));
    for (const e of events) {
      if (e.type !== 'meeting:started' && e.type !== 'meeting:ended') continue;
      // The machine checked canTransitionMeeting against the row it was given, inside this transaction.
      const status = e.type === 'meeting:started' ? 'live' : 'ended';
      repo.setMeetingStatus(db, meetingId, status);
      writeAudit(db, { actorUserId, action: `meeting.${status === 'live' ? 'start' : 'end'}`, targetType: 'meeting', targetId: meetingId, details: { at: e.at } });
    }
  }

  function broadcast(meetingId: number, state: ConferenceState, events: readonly ConferenceEvent[], at: number) {
    if (events.length === 0) return;
    publish(meetingId, toBroadcasts(meetingId, state, events, listAgenda(db, meetingId), at));
  }

  /** Schedules the end of the current speech, if any. */
  function arm(meetingId: number, state: ConferenceState) {
    clearTimeout(expiryTimers.get(meetingId));
    expiryTimers.delete(meetingId);
    const due = nextExpiry(state.floor);
    if (due === null || closed) return;
    const t = setTimeout(() => expireNow(meetingId), Math.max(0, due - clock()) + 5);
    t.unref();
    expiryTimers.set(meetingId, t);
  }

  function expireNow(meetingId: number) {
    expiryTimers.delete(meetingId);
    if (closed) return;
    try {
      const at = clock();
      const res = db.transaction(() => {
        const { state } = current(meetingId);
        const t = tick(state, at);
        if (t.events.length) persist(meetingId, t.state, t.events, null, at);
        return t;
      });
      broadcast(meetingId, res.state, res.events, at);
      arm(meetingId, res.state);
    } catch (err) {
      log.error({ err, meetingId }, 'floor expiry failed');
    }
  }

  return {
    /** Applies one command. Throws AppError when refused; when it returns, the change is durable. */
    execute(meetingId: number, actor: Actor, cmd: ConferenceCommand): { state: ConferenceState; events: ConferenceEvent[]; at: number } {
      const at = clock();
      const res = db.transaction(() => {
        const { state } = current(meetingId);
        const r = applyCommand(state, cmd, { now: at, actor, items: repo.loadAgendaRefs(db, meetingId) });
        if (!r.ok) throw toAppError(r.error);
        if (r.events.length) persist(meetingId, r.state, r.events, actor.role === 'system' ? null : actor.userId, at);
        return { state: r.state, events: r.events, at };
      });
      broadcast(meetingId, res.state, res.events, at);
      if (res.events.some((e) => e.type.startsWith('floor:'))) arm(meetingId, res.state);
      return res;
    },

    /** Current state, read-only (for views and hooks). */
    state: (meetingId: number) => current(meetingId).state,

    snapshot(meetingId: number): ConferenceSnapshot {
      const at = clock();
      const { meeting, state } = current(meetingId);
      const items: AgendaItem[] = listAgenda(db, meetingId);
      return {
        meeting,
        agenda: agendaView(state, items, at),
        presence: presenceView(state),
        floor: floorView(state.floor, at) satisfies FloorView,
        version: state.version,
      };
    },

    you(actor: Actor): YouView {
      return { userId: actor.userId, role: actor.role, bridgePointId: actor.bridgePointId, chair: actor.chair };
    },

    /** After a restart: re-arm the expiry of every speech that was running. */
    resume() {
      for (const id of repo.meetingsWithSpeaker(db)) {
        try {
          arm(id, current(id).state);
        } catch (err) {
          log.warn({ err, meetingId: id }, 'could not re-arm floor expiry');
        }
      }
    },

    close() {
      closed = true;
      for (const t of expiryTimers.values()) clearTimeout(t);
      expiryTimers.clear();
    },
  };
}
