/**
 * The conference room as one pure state machine: dispatches a command to the
 * agenda, floor and presence machines, applies the role rules, and keeps them
 * consistent (moving to another item clears the floor; ending the meeting
 * closes it). No I/O: the service loads the state, applies, persists, then
 * broadcasts the events.
 */
import { CONFERENCE_LIMITS, type MeetingStatus } from '@diemcau/shared';
import * as agenda from './agenda.machine.ts';
import * as floor from './floor.machine.ts';
import * as presence from './presence.machine.ts';
import * as rollCall from './rollcall.machine.ts';
import { fail, ok, type Transition } from './result.ts';

export interface ConferenceState {
  /** Bumped on every persisted change; equal versions mean equal state. */
  version: number;
  agenda: agenda.AgendaState;
  floor: floor.FloorState;
  presence: presence.PresenceState;
}

export type ConferenceEvent = agenda.AgendaEvent | floor.FloorEvent | presence.PresenceEvent;

export interface Actor extends presence.PresenceActor {
  /** How the actor appears in the floor queue (a bridge operator speaks for the bridge). */
  displayName: string;
}

export interface Env {
  now: number;
  actor: Actor;
  /** The meeting's agenda in order, as stored now. */
  items: readonly agenda.AgendaItemRef[];
}

export type ConferenceCommand =
  | { type: 'meeting:start' }
  | { type: 'meeting:end' }
  | { type: 'agenda:set-current'; itemId: number }
  | { type: 'timer:start'; itemId?: number | undefined }
  | { type: 'timer:pause'; itemId?: number | undefined }
  | { type: 'timer:extend'; itemId?: number | undefined; minutes: number }
  | { type: 'floor:request'; itemId?: number | undefined; topic?: string | undefined }
  | { type: 'floor:withdraw'; requestId: number }
  | { type: 'floor:reorder'; requestIds: number[] }
  | { type: 'floor:grant'; requestId: number; limitSeconds?: number | undefined }
  | { type: 'floor:revoke' }
  | ({ type: 'presence:set-bridge' } & presence.SetBridgeInput)
  | ({ type: 'presence:set-delegate' } & presence.SetDelegateInput)
  | { type: 'rollcall:start' }
  | ({ type: 'rollcall:confirm' } & rollCall.ConfirmInput)
  | { type: 'rollcall:close' };

export type ConferenceCommandType = ConferenceCommand['type'];
type Step = Transition<ConferenceState, ConferenceEvent>;

/** Commands only the chair (secretariat of the chairing province, or admin) may give. */
export const CHAIR_ONLY: ReadonlySet<ConferenceCommandType> = new Set<ConferenceCommandType>([
  'meeting:start',
  'meeting:end',
  'agenda:set-current',
  'timer:start',
  'timer:pause',
  'timer:extend',
  'floor:reorder',
  'floor:grant',
  'rollcall:start',
  'rollcall:close',
]);

export const initialConference = (status: MeetingStatus): ConferenceState => ({
  version: 0,
  agenda: agenda.initialAgenda(status),
  floor: floor.initialFloor(),
  presence: presence.initialPresence(),
});

/** Applies what time alone changes (a speech running out). Call before any command and when a timer fires. */
export function tick(s: ConferenceState, now: number): { state: ConferenceState; events: ConferenceEvent[] } {
  const r = floor.expire(s.floor, now);
  if (!r.ok || r.events.length === 0) return { state: s, events: [] };
  return { state: { ...s, floor: r.state, version: s.version + 1 }, events: r.events };
}

/**
 * Catches up with a meeting status changed elsewhere (the meetings API). A
 * meeting made live there starts here on its first item; a live meeting ended
 * there has its timer banked and its floor closed, as if the chair had ended it.
 */
export function reconcile(
  s: ConferenceState,
  status: MeetingStatus,
  items: readonly agenda.AgendaItemRef[],
  now: number,
): { state: ConferenceState; events: ConferenceEvent[] } {
  const from = s.agenda.status;
  if (from === status) return { state: s, events: [] };
  const step =
    status === 'live' ? agenda.startMeeting(s.agenda, items, now) : from === 'live' ? agenda.endMeeting(s.agenda, now) : null;
  if (!step?.ok) return { state: { ...s, agenda: agenda.withStatus(s.agenda, status) }, events: [] };
  const f = status === 'live' ? floor.setItem(s.floor, step.state.currentItemId, now) : floor.closeFloor(s.floor, now);
  if (!f.ok) return { state: { ...s, agenda: agenda.withStatus(s.agenda, status) }, events: [] };
  return {
    state: { ...s, version: s.version + 1, agenda: { ...step.state, status }, floor: f.state },
    events: [...step.events, ...f.events],
  };
}

const isOpen = (status: MeetingStatus) => status === 'draft' || status === 'scheduled' || status === 'live';

export function applyCommand(s0: ConferenceState, cmd: ConferenceCommand, env: Env): Step {
  const { now, actor, items } = env;
  if (CHAIR_ONLY.has(cmd.type) && !actor.chair) return fail('FORBIDDEN', 'Only the chair may do this');
  const ticked = tick(s0, now);
  const s = ticked.state;
  const events: ConferenceEvent[] = [...ticked.events];
  const status = s.agenda.status;

  // Runs one sub-machine step and, when it succeeds, folds it into the whole state.
  const done = (next: ConferenceState, more: ConferenceEvent[]): Step => {
    const all = [...events, ...more];
    return ok(all.length && next !== s0 ? { ...next, version: s0.version + 1 } : s0, all);
  };
  const viaAgenda = (r: Transition<agenda.AgendaState, agenda.AgendaEvent>): Step => {
    if (!r.ok) return r;
    // Floor requests are taken on the current item of a live meeting only.
    const f =
      r.state.status === 'live' ? floor.setItem(s.floor, r.state.currentItemId, now) : floor.closeFloor(s.floor, now);
    if (!f.ok) return f;
    const changed = r.events.length > 0 || f.events.length > 0;
    return done(changed ? { ...s, agenda: r.state, floor: f.state } : s, [...r.events, ...f.events]);
  };
  const viaFloor = (r: Transition<floor.FloorState, floor.FloorEvent>): Step =>
    r.ok ? done(r.events.length ? { ...s, floor: r.state } : s, r.events) : r;
  const viaPresence = (r: Transition<presence.PresenceState, presence.PresenceEvent>): Step => {
    if (!isOpen(status)) return fail('MEETING_NOT_LIVE', `The meeting is ${status}; its attendance is final`);
    return r.ok ? done(r.events.length ? { ...s, presence: r.state } : s, r.events) : r;
  };
  const liveFloor = (): Step | null => (status === 'live' ? null : fail('MEETING_NOT_LIVE', `The meeting is ${status}, not live`));

  switch (cmd.type) {
    case 'meeting:start':
      return viaAgenda(agenda.startMeeting(s.agenda, items, now));
    case 'meeting:end':
      return viaAgenda(agenda.endMeeting(s.agenda, now));
    case 'agenda:set-current':
      return viaAgenda(agenda.setCurrentItem(s.agenda, items, cmd.itemId, now));
    case 'timer:start':
      return viaAgenda(agenda.startTimer(s.agenda, cmd.itemId, now));
    case 'timer:pause':
      return viaAgenda(agenda.pauseTimer(s.agenda, cmd.itemId, now));
    case 'timer:extend':
      return viaAgenda(agenda.extendTimer(s.agenda, cmd.itemId, cmd.minutes));
    case 'floor:request': {
      if (actor.role !== 'delegate' && actor.role !== 'bridge_operator') {
        return fail('FORBIDDEN', 'Only delegates and bridge operators may ask for the floor');
      }
      const input = { userId: actor.userId, bridgePointId: actor.bridgePointId, displayName: actor.displayName, itemId: cmd.itemId, topic: cmd.topic };
      return liveFloor() ?? viaFloor(floor.request(s.floor, input, now));
    }
    case 'floor:withdraw':
      return liveFloor() ?? viaFloor(floor.withdraw(s.floor, cmd.requestId, actor, now));
    case 'floor:reorder':
      return liveFloor() ?? viaFloor(floor.reorder(s.floor, cmd.requestIds, actor.userId, now));
    case 'floor:grant': {
      const limit = cmd.limitSeconds ?? CONFERENCE_LIMITS.defaultSpeakingSeconds;
      return liveFloor() ?? viaFloor(floor.grant(s.floor, cmd.requestId, limit, actor.userId, now));
    }
    case 'floor:revoke':
      return liveFloor() ?? viaFloor(floor.revoke(s.floor, actor, now));
    case 'presence:set-bridge':
      return viaPresence(presence.setBridge(s.presence, actor, cmd, now));
    case 'presence:set-delegate':
      return viaPresence(presence.setDelegate(s.presence, actor, cmd, now));
    case 'rollcall:start':
      return viaPresence(rollCall.startRollCall(s.presence, actor, now));
    case 'rollcall:confirm':
      return viaPresence(rollCall.confirmRollCall(s.presence, actor, cmd, now));
    case 'rollcall:close':
      return viaPresence(rollCall.closeRollCall(s.presence, actor, now));
    default: {
      const never: never = cmd;
      return fail('UNKNOWN_EVENT', `Unknown command ${(never as { type: string }).type}`);
    }
  }
}
